//! A line chart drawn on the server as SVG: no script needed. Points are spaced evenly in the
//! order given (one per record); reference lines (a baseline, a target) are drawn across. The
//! page that shows a chart also shows its data as a table: the text alternative.

pub(crate) struct Dot {
    pub x: String,
    pub y: String,
    pub label: String,
}

/// A horizontal line across the plot at a value, with its label.
pub(crate) struct Reference {
    pub y: String,
    pub label: String,
}

pub(crate) struct Chart {
    pub width: u32,
    pub height: u32,
    pub left: u32,
    pub right: u32,
    pub top: u32,
    pub bottom: u32,
    pub points: String,
    pub dots: Vec<Dot>,
    pub references: Vec<Reference>,
    pub max_label: String,
    pub min_label: String,
}

const WIDTH: u32 = 480;
const HEIGHT: u32 = 200;
const PAD_LEFT: u32 = 36;
const PAD_RIGHT: u32 = 12;
const PAD_Y: u32 = 14;

/// A number as a person writes it: "7", "3.5".
pub(crate) fn number(v: f64) -> String {
    let s = format!("{v:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

impl Chart {
    /// The chart of `values` (label, value) on an axis from `min` to `max`, with `references`
    /// (label, value) drawn across. `None` with nothing to draw.
    pub(crate) fn draw(
        values: &[(String, f64)],
        min: f64,
        max: f64,
        references: &[(String, f64)],
    ) -> Option<Chart> {
        if values.is_empty() {
            return None;
        }
        // A flat range would divide by zero: widen it by one either side.
        let (min, max) = if max > min {
            (min, max)
        } else {
            (min - 1.0, max + 1.0)
        };
        let plot_w = f64::from(WIDTH - PAD_LEFT - PAD_RIGHT);
        let plot_h = f64::from(HEIGHT - 2 * PAD_Y);
        let y_of = |v: f64| {
            let share = ((v - min) / (max - min)).clamp(0.0, 1.0);
            f64::from(PAD_Y) + plot_h * (1.0 - share)
        };
        let step = if values.len() > 1 {
            plot_w / (values.len() - 1) as f64
        } else {
            0.0
        };
        let dots: Vec<Dot> = values
            .iter()
            .enumerate()
            .map(|(i, (label, v))| {
                let x = f64::from(PAD_LEFT)
                    + if values.len() > 1 {
                        step * i as f64
                    } else {
                        plot_w / 2.0
                    };
                Dot {
                    x: format!("{x:.1}"),
                    y: format!("{:.1}", y_of(*v)),
                    label: label.clone(),
                }
            })
            .collect();
        let points = dots
            .iter()
            .map(|d| format!("{},{}", d.x, d.y))
            .collect::<Vec<_>>()
            .join(" ");
        Some(Chart {
            width: WIDTH,
            height: HEIGHT,
            left: PAD_LEFT,
            right: WIDTH - PAD_RIGHT,
            top: PAD_Y,
            bottom: HEIGHT - PAD_Y,
            points,
            dots,
            references: references
                .iter()
                .map(|(label, v)| Reference {
                    y: format!("{:.1}", y_of(*v)),
                    label: label.clone(),
                })
                .collect(),
            max_label: number(max),
            min_label: number(min),
        })
    }

    /// The smallest and largest of all values given, for an axis that shows them all.
    pub(crate) fn range_of(values: impl IntoIterator<Item = f64>) -> Option<(f64, f64)> {
        values.into_iter().fold(None, |acc, v| match acc {
            None => Some((v, v)),
            Some((lo, hi)) => Some((lo.min(v), hi.max(v))),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_span_the_plot_and_values_map_to_height() {
        let values = vec![("a".to_string(), 0.0), ("b".to_string(), 10.0)];
        let c = Chart::draw(&values, 0.0, 10.0, &[("target".into(), 5.0)]).unwrap();
        assert_eq!(c.points, "36.0,186.0 468.0,14.0");
        assert_eq!(c.references[0].y, "100.0");
        assert_eq!((c.min_label.as_str(), c.max_label.as_str()), ("0", "10"));
        assert!(Chart::draw(&[], 0.0, 1.0, &[]).is_none());
    }

    #[test]
    fn one_point_sits_in_the_middle_and_a_flat_range_is_widened() {
        let c = Chart::draw(&[("only".into(), 3.0)], 3.0, 3.0, &[]).unwrap();
        assert_eq!(c.dots[0].x, "252.0");
        assert_eq!(c.dots[0].y, "100.0");
        assert_eq!((c.min_label.as_str(), c.max_label.as_str()), ("2", "4"));
        assert_eq!(Chart::range_of([3.0, -1.0, 7.5]), Some((-1.0, 7.5)));
        assert_eq!(number(3.5), "3.5");
        assert_eq!(number(-2.0), "-2");
    }
}
