//! Figures for the book and for users: SVG (or PNG by file extension), with
//! text rendered from a font compiled into the crate (DejaVu Sans, which
//! also covers Cyrillic), so no system font is needed.

use std::ops::Range;
use std::path::Path;
use std::sync::Once;

use plotters::prelude::*;

/// Why a figure could not be written.
#[derive(Debug, thiserror::Error)]
pub enum PlotError {
    /// Nothing to draw.
    #[error("plot {path}: nothing to draw ({what} is empty)")]
    Empty {
        /// Output file.
        path: String,
        /// What was empty.
        what: &'static str,
    },
    /// The output folder could not be created.
    #[error("plot {path}: cannot create the folder: {source}")]
    Io {
        /// Output file.
        path: String,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// The drawing backend failed.
    #[error("plot {path}: {message}")]
    Draw {
        /// Output file.
        path: String,
        /// What the drawing backend said.
        message: String,
    },
}

/// `Result` of writing a figure.
pub type Result<T, E = PlotError> = std::result::Result<T, E>;

static FONT: &[u8] = include_bytes!("../assets/DejaVuSans.ttf");
static REGISTER: Once = Once::new();

/// Registers the bundled font as `sans-serif` (idempotent).
pub fn register_font() {
    REGISTER.call_once(|| {
        // The bytes are a valid TrueType font shipped with the crate.
        let _ = plotters::style::register_font("sans-serif", FontStyle::Normal, FONT);
    });
}

/// A chart that can draw itself on any plotters backend.
trait Chart {
    fn size(&self) -> (u32, u32);
    fn draw_svg(&self, root: &DrawingArea<SVGBackend<'_>, plotters::coord::Shift>) -> Result<(), String>;
    fn draw_png(&self, root: &DrawingArea<BitMapBackend<'_>, plotters::coord::Shift>) -> Result<(), String>;
}

macro_rules! impl_chart {
    ($t:ty) => {
        impl Chart for $t {
            fn size(&self) -> (u32, u32) {
                self.size
            }
            fn draw_svg(&self, root: &DrawingArea<SVGBackend<'_>, plotters::coord::Shift>) -> Result<(), String> {
                self.draw_on(root)
            }
            fn draw_png(&self, root: &DrawingArea<BitMapBackend<'_>, plotters::coord::Shift>) -> Result<(), String> {
                self.draw_on(root)
            }
        }
    };
}

/// Draws the legend box the same way on every chart.
fn draw_legend<'a, DB, X, Y>(
    chart: &mut ChartContext<'a, DB, Cartesian2d<X, Y>>,
    position: SeriesLabelPosition,
) -> Result<(), String>
where
    DB: DrawingBackend + 'a,
    DB::ErrorType: 'static,
    X: plotters::coord::ranged1d::Ranged,
    Y: plotters::coord::ranged1d::Ranged,
{
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK.mix(0.3))
        .label_font(("sans-serif", 12))
        .position(position)
        .draw()
        .map_err(|e| e.to_string())
}

/// Creates the folder, picks the backend by extension and draws.
fn write_chart(chart: &impl Chart, path: &Path) -> Result<()> {
    register_font();
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|source| PlotError::Io { path: path.display().to_string(), source })?;
    }
    let fail = |e: &dyn std::fmt::Display| PlotError::Draw { path: path.display().to_string(), message: e.to_string() };
    if path.extension().is_some_and(|e| e.eq_ignore_ascii_case("png")) {
        let root = BitMapBackend::new(path, chart.size()).into_drawing_area();
        chart.draw_png(&root).map_err(|e| fail(&e))?;
        root.present().map_err(|e| fail(&e))
    } else {
        let root = SVGBackend::new(path, chart.size()).into_drawing_area();
        chart.draw_svg(&root).map_err(|e| fail(&e))?;
        root.present().map_err(|e| fail(&e))
    }
}

impl_chart!(SeriesPlot<'_>);
impl_chart!(CurvePlot<'_>);
impl_chart!(ScatterPlot<'_>);

/// A line chart of one series over an index axis, with optional shaded
/// intervals (ground-truth anomalies), markers (alerts) and a horizontal
/// threshold line.
#[derive(Debug, Clone)]
pub struct SeriesPlot<'a> {
    /// Title above the chart.
    pub title: &'a str,
    /// X axis caption.
    pub x_label: &'a str,
    /// Y axis caption.
    pub y_label: &'a str,
    /// The values; `NaN` marks a gap (e.g. warm-up).
    pub values: &'a [f64],
    /// Index ranges to shade (end exclusive).
    pub shaded: Vec<Range<usize>>,
    /// Caption of the shaded ranges in the legend.
    pub shaded_label: &'a str,
    /// Points to mark (index, value).
    pub markers: Vec<(usize, f64)>,
    /// Caption of the markers in the legend.
    pub marker_label: &'a str,
    /// Horizontal line, e.g. the threshold, with its caption.
    pub hline: Option<(f64, &'a str)>,
    /// A second series drawn over the first (same length; `NaN` = gap),
    /// e.g. a model's reconstruction, with its caption.
    pub overlay: Option<(&'a [f64], &'a str)>,
    /// Width and height in pixels.
    pub size: (u32, u32),
}

impl<'a> SeriesPlot<'a> {
    /// A plot of `values` with default size and no decorations.
    pub fn new(title: &'a str, x_label: &'a str, y_label: &'a str, values: &'a [f64]) -> Self {
        Self {
            title,
            x_label,
            y_label,
            values,
            shaded: Vec::new(),
            shaded_label: "labelled anomaly",
            markers: Vec::new(),
            marker_label: "alert",
            hline: None,
            overlay: None,
            size: (960, 360),
        }
    }

    /// Writes the chart; `.png` gives a bitmap, anything else SVG.
    pub fn write(&self, path: impl AsRef<Path>) -> Result<()> {
        if self.values.is_empty() {
            let path = path.as_ref().display().to_string();
            return Err(PlotError::Empty { path, what: "values to plot" });
        }
        write_chart(self, path.as_ref())
    }

    fn draw_on<DB: DrawingBackend>(&self, root: &DrawingArea<DB, plotters::coord::Shift>) -> Result<(), String>
    where
        DB::ErrorType: 'static,
    {
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let overlay = self.overlay.map_or(&[][..], |(values, _)| values);
        let finite = self.values.iter().chain(overlay).copied().filter(|v| v.is_finite());
        let (mut lo, mut hi) = finite.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| (a.min(v), b.max(v)));
        if let Some((h, _)) = self.hline {
            lo = lo.min(h);
            hi = hi.max(h);
        }
        if !lo.is_finite() {
            return Err("no finite values to plot".into());
        }
        let pad = ((hi - lo) * 0.05).max(1e-9);
        let (lo, hi) = (lo - pad, hi + pad);
        let n = self.values.len();
        let mut chart = ChartBuilder::on(root)
            .caption(self.title, ("sans-serif", 18))
            .margin(10)
            .x_label_area_size(40)
            .y_label_area_size(60)
            .build_cartesian_2d(0usize..n, lo..hi)
            .map_err(|e| e.to_string())?;
        chart
            .configure_mesh()
            .x_desc(self.x_label)
            .y_desc(self.y_label)
            .light_line_style(WHITE)
            .label_style(("sans-serif", 12))
            .draw()
            .map_err(|e| e.to_string())?;
        let band = RGBColor(255, 170, 170).mix(0.45);
        if !self.shaded.is_empty() {
            chart
                .draw_series(
                    self.shaded
                        .iter()
                        .map(|r| Rectangle::new([(r.start, lo), (r.end.max(r.start + 1), hi)], band.filled())),
                )
                .map_err(|e| e.to_string())?
                .label(self.shaded_label)
                .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 12, y + 5)], band.filled()));
        }
        let runs = finite_runs(self.values);
        let bucket = n.div_ceil(DRAWN_BUCKETS);
        for (k, run) in runs.iter().enumerate() {
            let s = chart
                .draw_series(LineSeries::new(decimate(self.values, run.clone(), bucket), RGBColor(31, 90, 160)))
                .map_err(|e| e.to_string())?;
            if k == 0 {
                s.label(self.y_label).legend(|(x, y)| PathElement::new([(x, y), (x + 14, y)], RGBColor(31, 90, 160)));
            }
        }
        if let Some((values, caption)) = self.overlay {
            let colour = RGBColor(230, 110, 20);
            for (k, run) in finite_runs(values).iter().enumerate() {
                let s = chart
                    .draw_series(LineSeries::new(decimate(values, run.clone(), bucket), colour))
                    .map_err(|e| e.to_string())?;
                if k == 0 {
                    s.label(caption).legend(move |(x, y)| PathElement::new([(x, y), (x + 14, y)], colour));
                }
            }
        }
        if let Some((h, caption)) = self.hline {
            chart
                .draw_series(LineSeries::new([(0, h), (n, h)], RGBColor(200, 120, 0).stroke_width(2)))
                .map_err(|e| e.to_string())?
                .label(caption)
                .legend(|(x, y)| PathElement::new([(x, y), (x + 14, y)], RGBColor(200, 120, 0).stroke_width(2)));
        }
        if !self.markers.is_empty() {
            // One marker per bucket at most (the highest), so a long file
            // does not write one circle per alerted bar.
            let mut markers: Vec<(usize, f64)> = Vec::with_capacity(self.markers.len().min(DRAWN_BUCKETS));
            for &(i, v) in &self.markers {
                match markers.last_mut() {
                    Some(last) if bucket > 2 && last.0 / bucket == i / bucket => {
                        if v > last.1 {
                            *last = (i, v);
                        }
                    }
                    _ => markers.push((i, v)),
                }
            }
            chart
                .draw_series(markers.iter().map(|&(i, v)| Circle::new((i, v), 4, RED.filled())))
                .map_err(|e| e.to_string())?
                .label(self.marker_label)
                .legend(|(x, y)| Circle::new((x + 6, y), 4, RED.filled()));
        }
        draw_legend(&mut chart, SeriesLabelPosition::UpperLeft)
    }
}

/// Above this many points a line is drawn through the minimum and maximum
/// of each of at most `DRAWN_BUCKETS` buckets: the picture keeps every
/// spike, the file stays small (a 5 M-bar series no longer writes 59 MB).
const DRAWN_BUCKETS: usize = 4000;

/// The points of `run` to draw: all of them for `bucket` ≤ 2, else the
/// minimum and the maximum of every `bucket` consecutive values, in order.
fn decimate(values: &[f64], run: Range<usize>, bucket: usize) -> Vec<(usize, f64)> {
    if bucket <= 2 {
        return run.map(|i| (i, values[i])).collect();
    }
    let mut out = Vec::with_capacity(2 * run.len() / bucket + 2);
    let mut start = run.start;
    while start < run.end {
        let end = (start + bucket - start % bucket).min(run.end);
        let (mut lo, mut hi) = (start, start);
        for i in start..end {
            if values[i] < values[lo] {
                lo = i;
            }
            if values[i] > values[hi] {
                hi = i;
            }
        }
        out.push((lo.min(hi), values[lo.min(hi)]));
        if lo != hi {
            out.push((lo.max(hi), values[lo.max(hi)]));
        }
        start = end;
    }
    out
}

/// Maximal runs of finite values, so gaps are not bridged by a line.
fn finite_runs(values: &[f64]) -> Vec<Range<usize>> {
    let mut runs = Vec::new();
    let mut start = None;
    for (i, v) in values.iter().enumerate() {
        match (v.is_finite(), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                runs.push(s..i);
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        runs.push(s..values.len());
    }
    runs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_svg_with_text_and_png_without_system_fonts() {
        let dir = std::env::temp_dir().join(format!("llm_anomaly_plot_{}", std::process::id()));
        let values: Vec<f64> = (0..50).map(|i| if i < 5 { f64::NAN } else { (i as f64 / 5.0).sin() }).collect();
        let mut p = SeriesPlot::new("Тест / test", "bar", "value", &values);
        p.shaded.push(10..15);
        p.markers = vec![(12, 0.5)];
        p.hline = Some((0.8, "threshold"));
        p.write(dir.join("a.svg")).unwrap();
        p.write(dir.join("a.png")).unwrap();
        let svg = std::fs::read_to_string(dir.join("a.svg")).unwrap();
        assert!(svg.contains("threshold") && svg.contains("Тест"));
        assert!(std::fs::metadata(dir.join("a.png")).unwrap().len() > 1000);
        assert_eq!(finite_runs(&[f64::NAN, 1.0, 2.0, f64::NAN, 3.0]), vec![1..3, 4..5]);
        // A long series keeps its extremes and shrinks to about two points per bucket.
        let long: Vec<f64> = (0..1_000_000).map(|i| if i == 777_777 { 50.0 } else { (i % 7) as f64 }).collect();
        let drawn = decimate(&long, 0..long.len(), long.len().div_ceil(DRAWN_BUCKETS));
        assert!(drawn.len() <= 2 * DRAWN_BUCKETS + 2, "{}", drawn.len());
        assert!(drawn.contains(&(777_777, 50.0)));
        assert!(drawn.windows(2).all(|w| w[0].0 < w[1].0));
        assert_eq!(decimate(&long, 5..9, 1).len(), 4);
        let _ = std::fs::remove_dir_all(dir);
    }
}

/// An x–y chart of one or more curves (PR and ROC curves, for example).
#[derive(Debug, Clone)]
pub struct CurvePlot<'a> {
    /// Title above the chart.
    pub title: &'a str,
    /// X axis caption.
    pub x_label: &'a str,
    /// Y axis caption.
    pub y_label: &'a str,
    /// Named curves, each a list of (x, y) points.
    pub curves: Vec<(String, Vec<(f64, f64)>)>,
    /// Axis ranges.
    pub x_range: Range<f64>,
    /// Axis ranges.
    pub y_range: Range<f64>,
    /// Width and height in pixels.
    pub size: (u32, u32),
}

/// Colours of successive curves.
const PALETTE: [RGBColor; 6] = [
    RGBColor(31, 90, 160),
    RGBColor(200, 120, 0),
    RGBColor(60, 150, 60),
    RGBColor(150, 50, 150),
    RGBColor(190, 40, 40),
    RGBColor(90, 90, 90),
];

impl<'a> CurvePlot<'a> {
    /// An empty chart over the unit square.
    pub fn new(title: &'a str, x_label: &'a str, y_label: &'a str) -> Self {
        Self { title, x_label, y_label, curves: Vec::new(), x_range: 0.0..1.0, y_range: 0.0..1.0, size: (560, 420) }
    }

    /// Writes the chart; `.png` gives a bitmap, anything else SVG.
    pub fn write(&self, path: impl AsRef<Path>) -> Result<()> {
        write_chart(self, path.as_ref())
    }

    fn draw_on<DB: DrawingBackend>(&self, root: &DrawingArea<DB, plotters::coord::Shift>) -> Result<(), String>
    where
        DB::ErrorType: 'static,
    {
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let mut chart = ChartBuilder::on(root)
            .caption(self.title, ("sans-serif", 16))
            .margin(10)
            .x_label_area_size(40)
            .y_label_area_size(50)
            .build_cartesian_2d(self.x_range.clone(), self.y_range.clone())
            .map_err(|e| e.to_string())?;
        chart
            .configure_mesh()
            .x_desc(self.x_label)
            .y_desc(self.y_label)
            .light_line_style(WHITE)
            .label_style(("sans-serif", 12))
            .draw()
            .map_err(|e| e.to_string())?;
        for (k, (name, points)) in self.curves.iter().enumerate() {
            let colour = PALETTE[k % PALETTE.len()];
            chart
                .draw_series(LineSeries::new(points.iter().copied(), colour.stroke_width(2)))
                .map_err(|e| e.to_string())?
                .label(name.as_str())
                .legend(move |(x, y)| PathElement::new([(x, y), (x + 14, y)], colour.stroke_width(2)));
        }
        draw_legend(&mut chart, SeriesLabelPosition::UpperRight)
    }
}

/// Points in the plane in named groups (an embedding projected to 2-D, for
/// example), each group in its own colour and marker.
#[derive(Debug, Clone)]
pub struct ScatterPlot<'a> {
    /// Title above the chart.
    pub title: &'a str,
    /// X axis caption.
    pub x_label: &'a str,
    /// Y axis caption.
    pub y_label: &'a str,
    /// Named groups of (x, y) points; the axes cover all of them.
    pub groups: Vec<(String, Vec<(f64, f64)>)>,
    /// Width and height in pixels.
    pub size: (u32, u32),
}

impl<'a> ScatterPlot<'a> {
    /// An empty chart.
    pub fn new(title: &'a str, x_label: &'a str, y_label: &'a str) -> Self {
        Self { title, x_label, y_label, groups: Vec::new(), size: (640, 480) }
    }

    /// Writes the chart; `.png` gives a bitmap, anything else SVG.
    pub fn write(&self, path: impl AsRef<Path>) -> Result<()> {
        if self.groups.iter().all(|(_, points)| points.is_empty()) {
            let path = path.as_ref().display().to_string();
            return Err(PlotError::Empty { path, what: "points to plot" });
        }
        write_chart(self, path.as_ref())
    }

    fn draw_on<DB: DrawingBackend>(&self, root: &DrawingArea<DB, plotters::coord::Shift>) -> Result<(), String>
    where
        DB::ErrorType: 'static,
    {
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let all = self.groups.iter().flat_map(|(_, p)| p.iter()).filter(|(x, y)| x.is_finite() && y.is_finite());
        let (mut x0, mut x1, mut y0, mut y1) = (f64::INFINITY, f64::NEG_INFINITY, f64::INFINITY, f64::NEG_INFINITY);
        for &(x, y) in all {
            (x0, x1, y0, y1) = (x0.min(x), x1.max(x), y0.min(y), y1.max(y));
        }
        let pad = |lo: f64, hi: f64| {
            let m = ((hi - lo) * 0.05).max(1e-9);
            (lo - m)..(hi + m)
        };
        let mut chart = ChartBuilder::on(root)
            .caption(self.title, ("sans-serif", 16))
            .margin(10)
            .x_label_area_size(40)
            .y_label_area_size(50)
            .build_cartesian_2d(pad(x0, x1), pad(y0, y1))
            .map_err(|e| e.to_string())?;
        chart
            .configure_mesh()
            .x_desc(self.x_label)
            .y_desc(self.y_label)
            .light_line_style(WHITE)
            .label_style(("sans-serif", 12))
            .draw()
            .map_err(|e| e.to_string())?;
        for (k, (name, points)) in self.groups.iter().enumerate() {
            let colour = PALETTE[k % PALETTE.len()];
            // Normal groups as circles, anomalous ones as triangles (even / odd).
            let drawn = if k % 2 == 0 {
                chart.draw_series(points.iter().map(|&(x, y)| Circle::new((x, y), 3, colour.mix(0.6).filled())))
            } else {
                chart.draw_series(points.iter().map(|&(x, y)| TriangleMarker::new((x, y), 5, colour.filled())))
            };
            drawn
                .map_err(|e| e.to_string())?
                .label(name.as_str())
                .legend(move |(x, y)| Circle::new((x + 7, y), 4, colour.filled()));
        }
        draw_legend(&mut chart, SeriesLabelPosition::UpperRight)
    }
}
