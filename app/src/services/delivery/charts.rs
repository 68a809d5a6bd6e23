//! The delivery page's charts: bar charts drawn on the server into SVG text with `plotters`'
//! SVG backend (no bitmap backend, no font feature).
//!
//! Why no fonts are needed: without plotters' `ttf` (font-kit, fontconfig) or `ab_glyph`
//! features, plotters uses its built-in "naive" font, which only estimates text extents for
//! layout; the SVG backend writes labels as `<text>` elements, which the browser draws with
//! its own fonts. So neither building nor running the server reads a font file.
//!
//! The SVG is made accessible here: `role="img"`, an `aria-label` and a `<title>`; black is
//! drawn in `currentColor`, so the chart follows the page's light or dark text colour. Every
//! chart has a table with the same numbers beside it on the page.

use plotters::prelude::*;

use crate::{
    api::delivery::DeliveryCharts,
    domain::delivery::{Bucket, DeliveryMetrics},
};

/// The size of a chart's drawing (the page scales it to the column's width).
const SIZE: (u32, u32) = (640, 220);
/// The bars' colour (the console's blue; readable on light and dark backgrounds).
const BAR: RGBColor = RGBColor(0x1f, 0x7a, 0xc4);

/// The four charts of the delivery page.
pub fn for_metrics(m: &DeliveryMetrics) -> DeliveryCharts {
    let per = match m.bucket {
        Bucket::Day => "day",
        Bucket::Week => "week",
    };
    let labels: Vec<String> = m.series.iter().map(|b| b.label.clone()).collect();
    // Counts are whole: ticks between them (0.5, 1.5, …) get no label.
    let count = |v: f64| if v.fract() == 0.0 { format!("{v:.0}") } else { String::new() };
    let deployments: Vec<Option<f64>> = m.series.iter().map(|b| Some(f64::from(b.deployments))).collect();
    let rates: Vec<Option<f64>> = m.series.iter().map(|b| b.failure_rate.map(|r| r * 100.0)).collect();
    let lead: Vec<Option<i64>> = m.series.iter().map(|b| b.lead_time_median_ms).collect();
    let restore: Vec<Option<i64>> = m.series.iter().map(|b| b.restore_median_ms).collect();
    DeliveryCharts {
        deployments: bar_chart(
            &format!("Successful deployments per {per}"),
            &labels,
            &deployments,
            "Deployments",
            None,
            &count,
        ),
        lead_time: duration_chart(&format!("Median lead time per {per}"), &labels, &lead, "Median lead time"),
        failure_rate: bar_chart(
            &format!("Change failure rate per {per}"),
            &labels,
            &rates,
            "Failed changes (%)",
            Some(100.0),
            &|v| format!("{v:.0} %"),
        ),
        restore: duration_chart(
            &format!("Median time to restore per {per}"),
            &labels,
            &restore,
            "Median time to restore",
        ),
    }
}

/// A chart of durations (ms) in the unit that suits the largest one.
fn duration_chart(title: &str, labels: &[String], values: &[Option<i64>], what: &str) -> String {
    let max = values.iter().flatten().copied().max().unwrap_or(0);
    let (unit, ms) = duration_unit(max);
    let scaled: Vec<Option<f64>> = values.iter().map(|v| v.map(|v| v as f64 / ms)).collect();
    bar_chart(title, labels, &scaled, &format!("{what} ({unit})"), None, &|v| {
        if v.fract() == 0.0 {
            format!("{v:.0}")
        } else {
            format!("{v:.1}")
        }
    })
}

/// The unit (name, milliseconds) for an axis up to `max_ms`.
fn duration_unit(max_ms: i64) -> (&'static str, f64) {
    if max_ms < 120_000 {
        ("seconds", 1_000.0)
    } else if max_ms < 7_200_000 {
        ("minutes", 60_000.0)
    } else if max_ms < 172_800_000 {
        ("hours", 3_600_000.0)
    } else {
        ("days", 86_400_000.0)
    }
}

/// One bar chart: a bar per bucket (`None`: no bar), `labels` under them, the y axis described
/// by `y_desc`, up to `top` (else a little above the highest bar), its ticks written by
/// `y_format`. SVG text, or "" if drawing failed (the table beneath still has the numbers).
pub fn bar_chart(
    title: &str,
    labels: &[String],
    values: &[Option<f64>],
    y_desc: &str,
    top: Option<f64>,
    y_format: &dyn Fn(f64) -> String,
) -> String {
    match draw(labels, values, y_desc, top, y_format) {
        Ok(svg) => accessible(&svg, title),
        Err(e) => {
            tracing::warn!(error = %e, chart = title, "drawing a chart failed");
            String::new()
        }
    }
}

fn draw(
    labels: &[String],
    values: &[Option<f64>],
    y_desc: &str,
    top: Option<f64>,
    y_format: &dyn Fn(f64) -> String,
) -> Result<String, String> {
    let n = values.len().max(1) as u32;
    let max = values.iter().flatten().copied().fold(0.0_f64, f64::max);
    let top = top.unwrap_or(if max > 0.0 { max * 1.15 } else { 1.0 });
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
        let mut chart = ChartBuilder::on(&root)
            .margin(10)
            .x_label_area_size(28)
            .y_label_area_size(64)
            // A segmented range includes its end: 0..n-1 is n bars.
            .build_cartesian_2d((0u32..n.saturating_sub(1).max(1)).into_segmented(), 0f64..top)
            .map_err(|e| e.to_string())?;
        let x_label = |v: &SegmentValue<u32>| match v {
            SegmentValue::CenterOf(i) => {
                // MM-DD of the bucket's first day: short enough for 30 bars.
                labels.get(*i as usize).map(|l| l.get(5..).unwrap_or(l).to_string()).unwrap_or_default()
            }
            _ => String::new(),
        };
        let y_label = |v: &f64| y_format(*v);
        chart
            .configure_mesh()
            .disable_x_mesh()
            .light_line_style(TRANSPARENT)
            .bold_line_style(BLACK.mix(0.15))
            .x_labels(labels.len().min(10))
            .x_label_formatter(&x_label)
            .y_labels(5)
            .y_label_formatter(&y_label)
            .y_desc(y_desc)
            .label_style(("sans-serif", 13))
            .axis_desc_style(("sans-serif", 13))
            .draw()
            .map_err(|e| e.to_string())?;
        chart
            .draw_series(values.iter().enumerate().filter_map(|(i, v)| {
                let v = (*v)?;
                let i = i as u32;
                let mut bar = Rectangle::new(
                    [(SegmentValue::Exact(i), 0.0), (SegmentValue::Exact(i + 1), v)],
                    BAR.filled(),
                );
                bar.set_margin(0, 0, 2, 2);
                Some(bar)
            }))
            .map_err(|e| e.to_string())?;
        root.present().map_err(|e| e.to_string())?;
    }
    Ok(svg)
}

/// `svg` with a role, a label and a title, and its black in `currentColor`.
fn accessible(svg: &str, title: &str) -> String {
    let title = escape(title);
    let svg = svg.replace("\"#000000\"", "\"currentColor\"");
    let Some(open_end) = svg.find('>') else { return String::new() };
    let (open, rest) = svg.split_at(open_end);
    let open =
        open.replacen("<svg ", &format!("<svg role=\"img\" aria-label=\"{title}\" class=\"chart\" "), 1);
    format!("{open}><title>{title}</title>{}", &rest[1..])
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chart_is_labelled_svg_with_its_labels_as_text() {
        let labels: Vec<String> = vec!["2026-12-01".into(), "2026-12-02".into(), "2026-12-03".into()];
        let svg = bar_chart(
            "Deployments per day",
            &labels,
            &[Some(3.0), None, Some(1.0)],
            "Deployments",
            None,
            &|v| format!("{v:.0}"),
        );
        assert!(svg.starts_with("<svg role=\"img\" aria-label=\"Deployments per day\""), "{svg}");
        assert!(svg.contains("<title>Deployments per day</title>"), "{svg}");
        assert!(svg.contains(">\n12-01\n</text>") || svg.contains("12-01"), "{svg}");
        assert!(svg.contains("Deployments"), "{svg}");
        assert!(!svg.contains("#000000"), "black follows the text colour");
        assert_eq!(svg.matches("fill=\"#1F7AC4\"").count(), 2, "two bars: {svg}");
    }

    #[test]
    fn an_empty_series_still_draws_axes() {
        let labels: Vec<String> = (1..=7).map(|d| format!("2026-12-0{d}")).collect();
        let svg = bar_chart("Nothing", &labels, &[None; 7], "Minutes", None, &|v| format!("{v:.0}"));
        assert!(svg.contains("<svg role=\"img\""), "{svg}");
        assert!(!svg.contains("#1F7AC4"), "no bar");
    }

    #[test]
    fn durations_take_the_unit_of_the_longest() {
        assert_eq!(duration_unit(90_000).0, "seconds");
        assert_eq!(duration_unit(3_600_000).0, "minutes");
        assert_eq!(duration_unit(30 * 3_600_000).0, "hours");
        assert_eq!(duration_unit(3 * 86_400_000).0, "days");
    }

    #[test]
    fn titles_are_escaped() {
        let svg =
            bar_chart("a <b> & \"c\"", &["2026-12-01".into()], &[Some(1.0)], "x", None, &|v| format!("{v}"));
        assert!(svg.contains("aria-label=\"a &lt;b&gt; &amp; &quot;c&quot;\""), "{svg}");
    }
}
