use crate::metrics::Metrics;
use crate::WebConfig;
use casework_service::Casework;
use std::sync::{Arc, OnceLock};

/// What every handler can reach: the service, the web settings, the metrics registry and the
/// OpenAPI document (rendered once, after the API router is assembled).
#[derive(Clone, Debug)]
pub struct AppState {
    pub app: Casework,
    pub config: Arc<WebConfig>,
    pub(crate) metrics: Arc<Metrics>,
    pub(crate) openapi: Arc<OnceLock<String>>,
}

impl AppState {
    pub fn new(app: Casework, config: WebConfig) -> AppState {
        AppState {
            app,
            config: Arc::new(config),
            metrics: Arc::new(Metrics::default()),
            openapi: Arc::new(OnceLock::new()),
        }
    }
}
