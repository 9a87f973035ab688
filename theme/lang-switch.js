// Language / edition switch for the four variants of the book.
//
// The site is laid out as
//
//   <site>/index.html          landing page
//   <site>/en/...              English
//   <site>/ru/...              Russian
//   <site>/en-simple/...       Simple English
//   <site>/ru-simple/...       Russian, simple language
//
// and every variant has the same page paths (heading anchors differ, so the
// #fragment is dropped). mdBook 0.5 defines `const path_to_root` in an inline
// script in <head> ("" on top-level pages, "../" one folder down); it is a
// global lexical binding, visible here. The variant root is that path resolved
// against the page URL; the current variant is the root's last path segment.
// Only relative URL arithmetic is used, so this works from file:// and http://.
(function () {
    "use strict";

    var VARIANTS = [
        { id: "en", label: "English", lang: "en" },
        { id: "ru", label: "Русский", lang: "ru" },
        { id: "en-simple", label: "Simple English", lang: "en" },
        { id: "ru-simple", label: "Русский (просто)", lang: "ru" },
    ];

    function findVariant(id) {
        for (var i = 0; i < VARIANTS.length; i++) {
            if (VARIANTS[i].id === id) {
                return VARIANTS[i];
            }
        }
        return null;
    }

    // Returns { current, links: [{variant, href}] } or null when the page is
    // not inside one of the four variant folders (e.g. `mdbook serve` of a
    // single variant, or the 404 page with its <base href="/">).
    function computeLinks() {
        if (typeof path_to_root === "undefined") {
            return null;
        }
        var base = document.baseURI || window.location.href;
        var here = new URL(window.location.href);
        var root;
        try {
            root = new URL(path_to_root === "" ? "./" : path_to_root, base);
        } catch (e) {
            return null;
        }
        var segments = root.pathname.split("/").filter(function (s) {
            return s.length > 0;
        });
        if (segments.length === 0) {
            return null;
        }
        var current = findVariant(decodeURIComponent(segments[segments.length - 1]));
        if (current === null) {
            return null;
        }
        // The page path relative to the variant root ("" for the folder itself).
        if (here.pathname.indexOf(root.pathname) !== 0) {
            return null;
        }
        var relative = here.pathname.substring(root.pathname.length);
        if (relative === "") {
            relative = "index.html";
        }
        var siteRoot = new URL("../", root);
        var links = VARIANTS.map(function (v) {
            var target = new URL(encodeURIComponent(v.id) + "/" + relative, siteRoot);
            return { variant: v, href: target.href };
        });
        return { current: current, links: links };
    }

    // A globe (stroked, so lang-switch.css overrides mdBook's `fill`).
    var GLOBE =
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" aria-hidden="true">' +
        '<circle cx="12" cy="12" r="10"/><path d="M2 12h20"/>' +
        '<path d="M12 2a15.3 15.3 0 0 1 4 10 15.3 15.3 0 0 1-4 10 15.3 15.3 0 0 1-4-10 15.3 15.3 0 0 1 4-10z"/>' +
        "</svg>";

    function build(info) {
        var container = document.querySelector("#mdbook-menu-bar .right-buttons") ||
            document.querySelector(".menu-bar .right-buttons");
        if (container === null || document.getElementById("lang-switch") !== null) {
            return;
        }

        var wrapper = document.createElement("div");
        wrapper.id = "lang-switch";
        wrapper.className = "lang-switch";

        var button = document.createElement("button");
        button.id = "lang-switch-toggle";
        button.className = "icon-button";
        button.type = "button";
        button.title = "Language / edition: " + info.current.label;
        button.setAttribute("aria-label", "Change language or edition");
        button.setAttribute("aria-haspopup", "true");
        button.setAttribute("aria-expanded", "false");
        button.setAttribute("aria-controls", "lang-switch-list");
        button.innerHTML = '<span class="fa-svg">' + GLOBE + "</span>";

        var list = document.createElement("ul");
        list.id = "lang-switch-list";
        list.className = "lang-switch-popup";
        list.setAttribute("role", "menu");
        list.setAttribute("aria-label", "Languages and editions");
        list.hidden = true;

        info.links.forEach(function (link) {
            var item = document.createElement("li");
            item.setAttribute("role", "none");
            var a = document.createElement("a");
            a.setAttribute("role", "menuitem");
            a.href = link.href;
            a.lang = link.variant.lang;
            a.hreflang = link.variant.lang;
            a.textContent = link.variant.label;
            a.className = "lang-switch-item";
            a.setAttribute("data-variant", link.variant.id);
            if (link.variant.id === info.current.id) {
                a.className += " lang-switch-current";
                a.setAttribute("aria-current", "page");
            }
            item.appendChild(a);
            list.appendChild(item);
        });

        function setOpen(open) {
            list.hidden = !open;
            button.setAttribute("aria-expanded", open ? "true" : "false");
        }

        button.addEventListener("click", function (event) {
            event.stopPropagation();
            setOpen(list.hidden);
            if (!list.hidden) {
                var current = list.querySelector(".lang-switch-current") || list.querySelector("a");
                if (current !== null) {
                    current.focus();
                }
            }
        });
        document.addEventListener("click", function (event) {
            if (!wrapper.contains(event.target)) {
                setOpen(false);
            }
        });
        // mdBook's own key handlers (arrows change chapter, `s`, `?`) listen on
        // document: while the menu is open, keep its keys from reaching them.
        wrapper.addEventListener("keydown", function (event) {
            if (list.hidden || event.altKey || event.ctrlKey || event.metaKey) {
                return;
            }
            var items = Array.prototype.slice.call(list.querySelectorAll("a"));
            var index = items.indexOf(document.activeElement);
            var next = null;
            if (event.key === "Escape") {
                setOpen(false);
                button.focus();
            } else if (event.key === "ArrowDown") {
                next = items[Math.min(index + 1, items.length - 1)];
            } else if (event.key === "ArrowUp") {
                next = items[Math.max(index - 1, 0)];
            } else if (event.key === "Home") {
                next = items[0];
            } else if (event.key === "End") {
                next = items[items.length - 1];
            } else {
                return;
            }
            event.preventDefault();
            event.stopPropagation();
            if (next) {
                next.focus();
            }
        });

        wrapper.appendChild(button);
        wrapper.appendChild(list);
        container.insertBefore(wrapper, container.firstChild);
    }

    function init() {
        var info = computeLinks();
        if (info !== null) {
            build(info);
        }
    }

    if (document.readyState === "loading") {
        document.addEventListener("DOMContentLoaded", init);
    } else {
        init();
    }
})();
