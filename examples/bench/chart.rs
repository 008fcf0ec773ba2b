//! The results as a bar chart in SVG (`bench.svg`): per kernel, ours and the reference as a percentage of the
//! ceiling they are held against, with the throughput ratio at the end of the pair. SVG is text, so it needs no
//! plotting or font library, and browsers and GitHub render it.

/// One kernel's bars.
pub struct Bar {
    pub name: String,
    /// Ours and the reference, as fractions of the ceiling (`None`: not measured).
    pub ours: Option<f64>,
    pub reference: Option<f64>,
    /// Which ceiling ("copy", "cuBLAS SGEMM").
    pub of: String,
}

const LABEL_W: f64 = 150.0;
const PLOT_W: f64 = 520.0;
const BAR_H: f64 = 11.0;
const ROW_H: f64 = 2.0 * BAR_H + 12.0;
const TOP: f64 = 46.0;
const OURS: &str = "#d95f02";
const REF: &str = "#7570b3";

/// The chart of `bars` under `title`.
pub fn svg(title: &str, bars: &[Bar]) -> String {
    let width = LABEL_W + PLOT_W + 110.0;
    let height = TOP + ROW_H * bars.len() as f64 + 34.0;
    // The scale: at least 100%, more when a bar exceeds it (the vec4 kernels reach 101% of the copy).
    let top = bars.iter().flat_map(|b| [b.ours, b.reference]).flatten().fold(1.0f64, f64::max);
    let x = |f: f64| LABEL_W + PLOT_W * (f / top).clamp(0.0, 1.0);
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" \
         font-family=\"sans-serif\" font-size=\"11\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
    );
    s += &format!("<text x=\"8\" y=\"18\" font-size=\"13\" font-weight=\"bold\">{}</text>\n", escape(title));
    s += &format!(
        "<rect x=\"{LABEL_W}\" y=\"26\" width=\"10\" height=\"10\" fill=\"{OURS}\"/>\
         <text x=\"{}\" y=\"35\">ours (#[ptx_kernel])</text>\
         <rect x=\"{}\" y=\"26\" width=\"10\" height=\"10\" fill=\"{REF}\"/>\
         <text x=\"{}\" y=\"35\">CUDA C++ reference (NVRTC)</text>\n",
        LABEL_W + 14.0,
        LABEL_W + 150.0,
        LABEL_W + 164.0
    );
    // Grid lines every 25%.
    let bottom = TOP + ROW_H * bars.len() as f64;
    let mut g = 0.0;
    while g <= top + 1e-9 {
        let gx = x(g);
        s += &format!(
            "<line x1=\"{gx:.1}\" y1=\"{TOP}\" x2=\"{gx:.1}\" y2=\"{bottom}\" stroke=\"#ccc\"/>\
             <text x=\"{gx:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"#555\">{:.0}%</text>\n",
            bottom + 14.0,
            g * 100.0
        );
        g += 0.25;
    }
    s += &format!(
        "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"#555\">% of the ceiling (copy bandwidth or \
         cuBLAS SGEMM, measured in the same run)</text>\n",
        LABEL_W + PLOT_W / 2.0,
        bottom + 28.0
    );
    for (i, b) in bars.iter().enumerate() {
        let y0 = TOP + ROW_H * i as f64 + 4.0;
        s += &format!(
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>\n",
            LABEL_W - 6.0,
            y0 + BAR_H + 4.0,
            escape(&b.name)
        );
        for (k, (v, color)) in [(b.ours, OURS), (b.reference, REF)].into_iter().enumerate() {
            let y = y0 + k as f64 * BAR_H;
            match v {
                Some(f) => {
                    s += &format!(
                        "<rect x=\"{LABEL_W}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"{BAR_H}\" fill=\"{color}\">\
                         <title>{:.1}% of {}</title></rect>\n",
                        x(f) - LABEL_W,
                        f * 100.0,
                        escape(&b.of)
                    );
                }
                None => {
                    s += &format!(
                        "<text x=\"{:.1}\" y=\"{:.1}\" fill=\"#a00\">not measured</text>\n",
                        LABEL_W + 4.0,
                        y + BAR_H - 2.0
                    );
                }
            }
        }
        if let (Some(o), Some(r)) = (b.ours, b.reference) {
            let end = x(o.max(r)) + 6.0;
            s += &format!("<text x=\"{end:.1}\" y=\"{:.1}\">{:.2}×</text>\n", y0 + BAR_H + 4.0, o / r);
        }
    }
    s += "</svg>\n";
    s
}

fn escape(t: &str) -> String {
    t.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_scale_to_the_largest_value_and_labels_are_escaped() {
        let bars = vec![
            Bar { name: "a<b".into(), ours: Some(0.5), reference: Some(1.01), of: "copy".into() },
            Bar { name: "c".into(), ours: Some(0.25), reference: None, of: "cuBLAS SGEMM".into() },
        ];
        let s = svg("t & u", &bars);
        assert!(s.starts_with("<svg") && s.trim_end().ends_with("</svg>"));
        assert!(s.contains("a&lt;b") && s.contains("t &amp; u") && !s.contains("a<b"));
        // 0.5 of a scale topped at 1.01: 520 × 0.5 / 1.01 wide.
        assert!(s.contains(&format!("width=\"{:.1}\"", PLOT_W * 0.5 / 1.01)), "{s}");
        assert!(s.contains("not measured") && s.contains("0.50×"));
        assert_eq!(s.matches("<rect x=\"150\"").count(), 4, "3 bars and the legend's first swatch");
    }
}
