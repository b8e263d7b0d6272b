//! Tally's HTTP API (§1–§6, §12): the router, the layers every request passes
//! (request id + log line + metrics, API version, authentication, idempotency),
//! wire models, the error body, and the OpenAPI document. It calls `tally-app`
//! for everything else and knows nothing of SQL.

pub mod error;
pub mod extract;
mod layers;
pub mod openapi;
pub mod rendered;
pub mod routes;
pub mod wire;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::get;
use metrics_exporter_prometheus::PrometheusHandle;
use std::sync::{Arc, OnceLock};
use tally_app::App;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// What every handler can reach; one `Arc`, so cloning it per request is cheap.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

pub struct Shared {
    pub app: App,
    pub metrics: PrometheusHandle,
    pub openapi_json: String,
    pub checkout_limiter: routes::checkout::Limiter,
    /// JSON of cached sessions and plans (by organization, id; plans also by version).
    pub rendered_sessions: rendered::Rendered<(String, String), tally_core::session::ClientSession>,
    pub rendered_plans: rendered::Rendered<(String, String, bool), tally_core::plan::Plan>,
}

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// The process-wide Prometheus recorder (installed once). Request durations go
/// into fixed buckets, and a thread drains the recorder's sample buffers every
/// few seconds: without a scraper they would otherwise grow with every request.
pub fn metrics_handle() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let buckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];
            let recorder = metrics_exporter_prometheus::PrometheusBuilder::new()
                .set_buckets(&buckets)
                .expect("bucket list is not empty")
                .build_recorder();
            let handle = recorder.handle();
            // Another recorder may be installed by an embedding program; then
            // this handle simply renders nothing.
            let _ = metrics::set_global_recorder(recorder);
            let upkeep = handle.clone();
            std::thread::Builder::new()
                .name("metrics-upkeep".into())
                .spawn(move || loop {
                    std::thread::sleep(std::time::Duration::from_secs(5));
                    upkeep.run_upkeep();
                })
                .expect("a thread can be started");
            handle
        })
        .clone()
}

/// The API routes with their OpenAPI description.
fn api_routes() -> OpenApiRouter<AppState> {
    use routes::{admin, customers, payments, plans, sessions};
    OpenApiRouter::with_openapi(openapi::base())
        .routes(routes!(plans::list_plans, plans::create_plan))
        .routes(routes!(plans::get_plan, plans::update_plan))
        .routes(routes!(plans::archive_plan))
        .routes(routes!(plans::unarchive_plan))
        .routes(routes!(customers::list_customers, customers::create_customer))
        .routes(routes!(customers::get_customer, customers::update_customer))
        .routes(routes!(sessions::create_session))
        .routes(routes!(sessions::get_session, sessions::update_session))
        .routes(routes!(admin::list_organizations, admin::create_organization))
        .routes(routes!(admin::list_keys, admin::create_key))
        .routes(routes!(admin::revoke_key))
        .routes(routes!(admin::get_rates, admin::put_rates))
        .routes(routes!(payments::list_payments, payments::create_payment))
        .routes(routes!(payments::get_payment))
        .routes(routes!(payments::refund_payment))
}

/// The public checkout calls (no API key; CORS-enabled) with their description.
fn checkout_routes() -> OpenApiRouter<AppState> {
    use routes::checkout;
    OpenApiRouter::new()
        .routes(routes!(checkout::view))
        .routes(routes!(checkout::complete))
        .routes(routes!(checkout::three_d_secure))
}

/// The full OpenAPI document (for `/openapi.json` and tests).
pub fn openapi_document() -> utoipa::openapi::OpenApi {
    let (_, api) = api_routes().merge(checkout_routes()).split_for_parts();
    openapi::finish(api)
}

/// Builds the whole service for `app`.
pub fn router(app: App) -> Router {
    let (api, _) = api_routes().split_for_parts();
    let (checkout, _) = checkout_routes().split_for_parts();
    let state = AppState(Arc::new(Shared {
        app,
        metrics: metrics_handle(),
        openapi_json: openapi_document().to_json().expect("the OpenAPI document serializes"),
        checkout_limiter: routes::checkout::Limiter::default(),
        rendered_sessions: rendered::Rendered::default(),
        rendered_plans: rendered::Rendered::default(),
    }));
    let authenticated = api.layer(axum::middleware::from_fn_with_state(state.clone(), layers::guard));
    let checkout = checkout
        .route("/checkout.js", get(routes::checkout::sdk))
        .route("/checkout/{id}", get(routes::checkout::page));
    let public = Router::new()
        .route("/healthz", get(routes::ops::healthz))
        .route("/readyz", get(routes::ops::readyz))
        .route("/metrics", get(routes::ops::metrics))
        .route("/openapi.json", get(routes::ops::openapi))
        .route("/docs", get(routes::ops::docs));
    Router::new()
        .merge(authenticated)
        .merge(checkout)
        .merge(public)
        .fallback(layers::not_found)
        .method_not_allowed_fallback(layers::method_not_allowed)
        .layer(DefaultBodyLimit::max(extract::BODY_LIMIT))
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(layers::panic_response))
        .layer(axum::middleware::from_fn(layers::edge))
        .with_state(state)
}
