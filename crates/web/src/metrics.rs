//! Request counts and latencies for Prometheus, labelled by route template (never the raw path:
//! ids in paths would explode the series and could name a client).

use crate::AppState;
use axum::extract::{MatchedPath, Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::time::Instant;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 11] = [
    0.001, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

#[derive(Debug, Default)]
struct Latency {
    buckets: [u64; BUCKETS.len()],
    count: u64,
    sum_seconds: f64,
}

#[derive(Debug, Default)]
struct Series {
    /// (method, route, status class) -> requests.
    requests: BTreeMap<(&'static str, String, &'static str), u64>,
    /// (method, route) -> latency histogram.
    latency: BTreeMap<(&'static str, String), Latency>,
}

#[derive(Debug, Default)]
pub struct Metrics {
    series: Mutex<Series>,
}

fn method_label(m: &Method) -> &'static str {
    match *m {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        _ => "OTHER",
    }
}

fn status_class(status: u16) -> &'static str {
    match status {
        100..=199 => "1xx",
        200..=299 => "2xx",
        300..=399 => "3xx",
        400..=499 => "4xx",
        _ => "5xx",
    }
}

fn escape(label: &str) -> String {
    label
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

impl Metrics {
    pub fn observe(&self, method: &Method, route: &str, status: u16, seconds: f64) {
        let method = method_label(method);
        // A poisoned lock only means another request panicked mid-update; counts are still usable.
        let mut series = self.series.lock().unwrap_or_else(|p| p.into_inner());
        *series
            .requests
            .entry((method, route.to_string(), status_class(status)))
            .or_default() += 1;
        let latency = series
            .latency
            .entry((method, route.to_string()))
            .or_default();
        latency.count += 1;
        latency.sum_seconds += seconds;
        for (i, bound) in BUCKETS.iter().enumerate() {
            if seconds <= *bound {
                latency.buckets[i] += 1;
            }
        }
    }

    /// The Prometheus text exposition.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let series = self.series.lock().unwrap_or_else(|p| p.into_inner());
        out.push_str("# HELP casework_http_requests_total HTTP requests by method, route template and status class.\n");
        out.push_str("# TYPE casework_http_requests_total counter\n");
        for ((method, route, class), n) in &series.requests {
            let _ = writeln!(
                out,
                "casework_http_requests_total{{method=\"{method}\",route=\"{}\",status=\"{class}\"}} {n}",
                escape(route)
            );
        }
        out.push_str("# HELP casework_http_request_duration_seconds Time to answer, by method and route template.\n");
        out.push_str("# TYPE casework_http_request_duration_seconds histogram\n");
        for ((method, route), l) in &series.latency {
            let labels = format!("method=\"{method}\",route=\"{}\"", escape(route));
            for (bound, n) in BUCKETS.iter().zip(l.buckets.iter()) {
                let _ = writeln!(
                    out,
                    "casework_http_request_duration_seconds_bucket{{{labels},le=\"{bound}\"}} {n}"
                );
            }
            let _ = writeln!(
                out,
                "casework_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}",
                l.count
            );
            let _ = writeln!(
                out,
                "casework_http_request_duration_seconds_sum{{{labels}}} {}",
                l.sum_seconds
            );
            let _ = writeln!(
                out,
                "casework_http_request_duration_seconds_count{{{labels}}} {}",
                l.count
            );
        }
        drop(series);
        if let Some(rss) = resident_bytes() {
            out.push_str("# HELP process_resident_memory_bytes Resident set size of the server.\n");
            out.push_str("# TYPE process_resident_memory_bytes gauge\n");
            let _ = writeln!(out, "process_resident_memory_bytes {rss}");
        }
        out
    }
}

/// Resident memory from /proc/self/statm (Linux only). Pages are taken as 4 KiB, the page size
/// on every platform we ship for, which saves a libc dependency for sysconf.
fn resident_bytes() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096)
}

/// The metrics layer. It sits inside the router so the matched route template is known.
pub async fn record(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_string())
        .unwrap_or_else(|| "unmatched".to_string());
    let method = req.method().clone();
    let started = Instant::now();
    let res = next.run(req).await;
    state.metrics.observe(
        &method,
        &route,
        res.status().as_u16(),
        started.elapsed().as_secs_f64(),
    );
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn observations_show_up_as_counters_and_histograms() {
        let m = Metrics::default();
        m.observe(&Method::GET, "/admin/users", 200, 0.003);
        m.observe(&Method::GET, "/admin/users", 404, 0.2);
        let text = m.render();
        assert!(text.contains(
            "casework_http_requests_total{method=\"GET\",route=\"/admin/users\",status=\"2xx\"} 1"
        ));
        assert!(text.contains(
            "casework_http_request_duration_seconds_bucket{method=\"GET\",route=\"/admin/users\",le=\"0.005\"} 1"
        ));
        assert!(text.contains(
            "casework_http_request_duration_seconds_count{method=\"GET\",route=\"/admin/users\"} 2"
        ));
    }
}
