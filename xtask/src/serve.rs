//! `cargo xtask book serve`: build the four variants, then serve `target/book`
//! on 127.0.0.1 with a small std-only static file server (GET and HEAD).
//! No live reload: run it again after editing.

use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Component, Path, PathBuf};
use std::thread;
use std::time::Duration;

use anyhow::{Context, Result};

use crate::book;
use crate::variants;

pub fn run(port: u16) -> Result<()> {
    book::build_all()?;
    let root = fs::canonicalize(variants::site_dir()).context("target/book is missing")?;
    let listener = TcpListener::bind(("127.0.0.1", port))
        .with_context(|| format!("cannot listen on 127.0.0.1:{port} (try --port N)"))?;
    println!("Serving {} at http://127.0.0.1:{port}/ (Ctrl-C to stop)", root.display());
    for stream in listener.incoming() {
        let Ok(stream) = stream else {
            continue;
        };
        let root = root.clone();
        thread::spawn(move || {
            if let Err(error) = handle(stream, &root) {
                eprintln!("serve: {error:#}");
            }
        });
    }
    Ok(())
}

fn handle(mut stream: TcpStream, root: &Path) -> Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    // Drain the headers (we need none of them).
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header)? == 0 || header.trim().is_empty() {
            break;
        }
    }

    let mut parts = request_line.split_whitespace();
    let method = parts.next().unwrap_or("");
    let target = parts.next().unwrap_or("/");
    let head_only = method == "HEAD";
    if method != "GET" && !head_only {
        return respond(
            &mut stream,
            "405 Method Not Allowed",
            "text/plain; charset=utf-8",
            b"method not allowed\n",
            false,
            &[],
        );
    }

    let path = target.split(['?', '#']).next().unwrap_or("/");
    let Some(relative) = safe_relative_path(path) else {
        return respond(&mut stream, "400 Bad Request", "text/plain; charset=utf-8", b"bad path\n", head_only, &[]);
    };
    let mut file = root.join(&relative);
    if file.is_dir() {
        if !path.ends_with('/') {
            // Relative links in index.html need the trailing slash.
            let location = format!("{path}/");
            return respond(
                &mut stream,
                "301 Moved Permanently",
                "text/plain; charset=utf-8",
                b"",
                head_only,
                &[("Location", &location)],
            );
        }
        file = file.join("index.html");
    }
    match fs::read(&file) {
        Ok(body) => {
            let status = "200 OK";
            println!("{method} {path} -> 200");
            respond(&mut stream, status, content_type(&file), &body, head_only, &[])
        }
        Err(_) => {
            println!("{method} {path} -> 404");
            let body = format!(
                "<!DOCTYPE html><meta charset=\"utf-8\"><title>Not found</title><p>Not found: {}</p><p><a href=\"/\">Book home</a></p>\n",
                path.replace('<', "&lt;")
            );
            respond(&mut stream, "404 Not Found", "text/html; charset=utf-8", body.as_bytes(), head_only, &[])
        }
    }
}

fn respond(
    stream: &mut TcpStream,
    status: &str,
    content_type: &str,
    body: &[u8],
    head_only: bool,
    extra_headers: &[(&str, &str)],
) -> Result<()> {
    let mut header = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nCache-Control: no-cache\r\nConnection: close\r\n",
        body.len()
    );
    for (name, value) in extra_headers {
        header.push_str(&format!("{name}: {value}\r\n"));
    }
    header.push_str("\r\n");
    stream.write_all(header.as_bytes())?;
    if !head_only {
        stream.write_all(body)?;
    }
    stream.flush()?;
    Ok(())
}

/// The decoded request path as a relative path with no `..`, or `None`.
fn safe_relative_path(url_path: &str) -> Option<PathBuf> {
    let decoded = percent_decode(url_path)?;
    let mut out = PathBuf::new();
    for component in Path::new(decoded.trim_start_matches('/')).components() {
        match component {
            Component::Normal(part) => out.push(part),
            Component::CurDir => {}
            _ => return None,
        }
    }
    Some(out)
}

fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn content_type(path: &Path) -> &'static str {
    let extension = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
    match extension.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "ttf" => "font/ttf",
        "txt" | "md" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_parent_dirs() {
        assert_eq!(safe_relative_path("/en/../../etc/passwd"), None);
        assert_eq!(safe_relative_path("/en/%2e%2e/x"), None);
        assert_eq!(safe_relative_path("/ru-simple/intro.html"), Some(PathBuf::from("ru-simple/intro.html")));
        assert_eq!(safe_relative_path("/"), Some(PathBuf::new()));
    }

    #[test]
    fn content_types() {
        assert_eq!(content_type(Path::new("a/b.SVG")), "image/svg+xml");
        assert_eq!(content_type(Path::new("fonts/x.woff2")), "font/woff2");
    }
}
