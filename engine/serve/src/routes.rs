//! The HTTP surface: routes under `/v1`, `GET /healthz`, bearer-token checking, the body limit,
//! and JSON error bodies for every refusal (see `docs/serve.md`).

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next as Chain};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::json;

use crate::auth::Tokens;
use crate::error::ApiError;
use crate::events::{check_id, parse_body};
use crate::export;
use crate::replies::{Exported, LearnerView, Next, PathView, Posted, Reloaded};
use crate::service::Service;

/// A JSON reply (axum's own `Json` needs a serde_json feature that would rebuild polars).
pub struct Json<T>(pub T);

impl<T: serde::Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        match serde_json::to_vec(&self.0) {
            Ok(bytes) => (
                [(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/json"),
                )],
                bytes,
            )
                .into_response(),
            Err(e) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("cannot write the reply: {e}"),
            )
                .into_response(),
        }
    }
}

/// The largest request body accepted, in bytes.
pub const MAX_BODY_BYTES: usize = 1 << 20;

/// The most recommendations one request may ask for (`k`).
pub const MAX_K: usize = 100;

/// Recommendations given when `k` is not asked.
pub const DEFAULT_K: usize = 5;

/// How long a request may take, from its head to its reply, unless the service is told otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// The service's routes. With `tokens`, every `/v1` route needs `Authorization: Bearer <token>`
/// with a listed token; `/healthz` never does. A request not answered within `timeout` (a client
/// sending its body too slowly, a stalled disk) is answered 503.
pub fn router(service: Arc<Service>, tokens: Option<Arc<Tokens>>, timeout: Duration) -> Router {
    let mut v1 = Router::new()
        .route("/v1/events", axum::routing::post(post_events))
        .route("/v1/learners/{id}", get(get_learner).delete(delete_learner))
        .route("/v1/learners/{id}/next", get(get_next))
        .route("/v1/learners/{id}/path", get(get_path))
        .route("/v1/learners/{id}/export", get(get_export))
        .route("/v1/export", get(get_export_page))
        .route("/v1/admin/reload", axum::routing::post(reload))
        .with_state(service.clone());
    if let Some(tokens) = tokens {
        v1 = v1.route_layer(middleware::from_fn_with_state(tokens, require_token));
    }
    Router::new()
        .route("/healthz", get(|| async { Json(json!({"status": "ok"})) }))
        .route("/v1/openapi.json", get(openapi))
        .route("/metrics", get(metrics).with_state(service))
        .merge(v1)
        .fallback(|| async { ApiError::status(StatusCode::NOT_FOUND, "no such route") })
        .method_not_allowed_fallback(|| async {
            ApiError::status(
                StatusCode::METHOD_NOT_ALLOWED,
                "method not allowed on this route",
            )
        })
        .layer(middleware::from_fn_with_state(timeout, time_limit))
}

async fn time_limit(State(timeout): State<Duration>, req: Request, next: Chain) -> Response {
    match tokio::time::timeout(timeout, next.run(req)).await {
        Ok(response) => response,
        Err(_) => ApiError::status(
            StatusCode::SERVICE_UNAVAILABLE,
            format!(
                "the request was not answered within {} s; a retried post with event ids is safe",
                timeout.as_secs_f64()
            ),
        )
        .into_response(),
    }
}

/// The OpenAPI 3.1 document of the service, kept in the repository beside the crate.
pub const OPENAPI: &str = include_str!("../openapi.json");

async fn openapi() -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        OPENAPI,
    )
        .into_response()
}

async fn metrics(State(service): State<Arc<Service>>) -> Result<Response, ApiError> {
    let text = tokio::task::spawn_blocking(move || service.metrics())
        .await
        .map_err(|e| ApiError::internal(format!("the request failed: {e}")))?;
    Ok((
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; version=0.0.4"),
        )],
        text,
    )
        .into_response())
}

async fn require_token(State(tokens): State<Arc<Tokens>>, req: Request, next: Chain) -> Response {
    let token = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    if token.is_some_and(|t| tokens.allows(t)) {
        return next.run(req).await;
    }
    let mut response = ApiError::field(
        "Authorization",
        "a bearer token from the service's tokens file is required",
    )
    .into_response();
    *response.status_mut() = StatusCode::UNAUTHORIZED;
    response
        .headers_mut()
        .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    response
}

/// Runs `f` on the blocking pool (SQLite and the engine are synchronous); a panic there becomes
/// a 500, never a dropped connection.
async fn blocking<T: Send + 'static>(
    service: Arc<Service>,
    f: impl FnOnce(&Service) -> Result<T, ApiError> + Send + 'static,
) -> Result<Json<T>, ApiError> {
    tokio::task::spawn_blocking(move || f(&service))
        .await
        .map_err(|e| ApiError::internal(format!("the request failed: {e}")))?
        .map(Json)
}

fn learner_id(path: Result<Path<String>, PathRejection>) -> Result<String, ApiError> {
    let Path(id) = path.map_err(|e| ApiError::field("id", e.body_text()))?;
    check_id(&id).map_err(|m| ApiError::field("id", m))?;
    Ok(id)
}

async fn post_events(State(service): State<Arc<Service>>, request: Request) -> Response {
    match read_events(service, request).await {
        Ok(reply) => reply.into_response(),
        Err(e) => e.into_response(),
    }
}

async fn read_events(service: Arc<Service>, request: Request) -> Result<Json<Posted>, ApiError> {
    let too_large = || {
        ApiError::status(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("the body is larger than {MAX_BODY_BYTES} bytes"),
        )
    };
    // A declared length over the limit is refused before reading anything.
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_BODY_BYTES as u64) {
        return Err(too_large());
    }
    let body = axum::body::to_bytes(request.into_body(), MAX_BODY_BYTES)
        .await
        .map_err(|_| too_large())?;
    let body = parse_body(&body)?;
    let batch = body.batch;
    let posted = async {
        // Checking is quick; the wait for the disk is the writer thread's, not a worker's.
        let committed = service.submit(&body)?.wait().await?;
        match service.reply(&committed, true) {
            Some(reply) => reply.map(Json),
            // A learner of the post was dropped from memory meanwhile: replayed from the store.
            None => {
                blocking(service.clone(), move |s| {
                    s.reply(&committed, false)
                        .unwrap_or_else(|| Err(ApiError::internal("no reply was made")))
                })
                .await
            }
        }
    };
    posted.await.map_err(|mut e: ApiError| {
        // A single event's fields are named without the batch index.
        if !batch && let Some(field) = &e.field {
            e.field = Some(field.trim_start_matches("[0].").to_owned());
        }
        e
    })
}

async fn get_learner(
    State(service): State<Arc<Service>>,
    path: Result<Path<String>, PathRejection>,
) -> Result<Json<LearnerView>, ApiError> {
    let id = learner_id(path)?;
    blocking(service, move |s| s.knowledge(&id)).await
}

async fn delete_learner(
    State(service): State<Arc<Service>>,
    path: Result<Path<String>, PathRejection>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let id = learner_id(path)?;
    let reply = id.clone();
    let Json(n) = blocking(service, move |s| s.delete(&id)).await?;
    if n == 0 {
        return Err(ApiError::status(
            StatusCode::NOT_FOUND,
            "no event of this learner is stored",
        ));
    }
    Ok(Json(json!({ "learner": reply, "deleted_events": n })))
}

/// The query's parameters, each of which must be one of `allowed`.
fn query(raw: Option<String>, allowed: &str) -> Result<Vec<(String, String)>, ApiError> {
    let mut out = Vec::new();
    for (key, value) in form_urlencoded::parse(raw.unwrap_or_default().as_bytes()) {
        if !allowed.split(", ").any(|a| a == key) {
            return Err(ApiError::field(
                key.into_owned(),
                format!("unknown query parameter; this route takes {allowed}"),
            ));
        }
        out.push((key.into_owned(), value.into_owned()));
    }
    Ok(out)
}

fn goal(value: String) -> Result<String, ApiError> {
    check_id(&value).map_err(|m| ApiError::field("goal", m))?;
    Ok(value)
}

async fn get_next(
    State(service): State<Arc<Service>>,
    path: Result<Path<String>, PathRejection>,
    RawQuery(raw): RawQuery,
) -> Result<Json<Next>, ApiError> {
    let id = learner_id(path)?;
    let mut k = DEFAULT_K;
    let mut goals = Vec::new();
    for (key, value) in query(raw, "k, goal")? {
        if key == "k" {
            k = value
                .parse()
                .ok()
                .filter(|k| (1..=MAX_K).contains(k))
                .ok_or_else(|| {
                    ApiError::field("k", format!("must be a whole number from 1 to {MAX_K}"))
                })?;
        } else {
            goals.push(goal(value)?);
        }
    }
    // A learner in memory is answered at once; one to replay from the store, on the blocking
    // pool.
    match service.next_in_memory(&id, k, &goals) {
        Some(next) => next.map(Json),
        None => blocking(service, move |s| s.next(&id, k, &goals)).await,
    }
}

async fn get_path(
    State(service): State<Arc<Service>>,
    path: Result<Path<String>, PathRejection>,
    RawQuery(raw): RawQuery,
) -> Result<Json<PathView>, ApiError> {
    let id = learner_id(path)?;
    let goals = query(raw, "goal")?
        .into_iter()
        .map(|(_, value)| goal(value))
        .collect::<Result<Vec<_>, _>>()?;
    blocking(service, move |s| s.path(&id, &goals)).await
}

async fn get_export(
    State(service): State<Arc<Service>>,
    path: Result<Path<String>, PathRejection>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let id = learner_id(path)?;
    let mut format = Format::Ndjson;
    for (_, value) in query(raw, "format")? {
        format = Format::parse(&value)?;
    }
    let Json(events) = blocking(service, move |s| s.export(&id)).await?;
    format.reply(&events)
}

/// The most events one page of `GET /v1/export` holds.
pub const MAX_EXPORT_PAGE: usize = 10_000;

async fn get_export_page(
    State(service): State<Arc<Service>>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let mut format = Format::Ndjson;
    let (mut after, mut limit) = (0, MAX_EXPORT_PAGE);
    for (key, value) in query(raw, "after, limit, format")? {
        match key.as_str() {
            "after" => {
                after =
                    value.parse().ok().filter(|a| *a >= 0).ok_or_else(|| {
                        ApiError::field("after", "must be a whole number, 0 or more")
                    })?;
            }
            "limit" => {
                limit = value
                    .parse()
                    .ok()
                    .filter(|l| (1..=MAX_EXPORT_PAGE).contains(l))
                    .ok_or_else(|| {
                        ApiError::field(
                            "limit",
                            format!("must be a whole number from 1 to {MAX_EXPORT_PAGE}"),
                        )
                    })?;
            }
            _ => format = Format::parse(&value)?,
        }
    }
    let Json(events) = blocking(service, move |s| s.export_page(after, limit)).await?;
    let mut response = format.reply(&events)?;
    if let Some(last) = events.last() {
        response
            .headers_mut()
            .insert(LAST_SEQ, HeaderValue::from(last.seq));
    }
    Ok(response)
}

/// The reply header of `GET /v1/export` giving the last event's sequence number: the `after` of
/// the next page.
pub const LAST_SEQ: &str = "pathwise-last-seq";

/// The formats of the exports.
enum Format {
    Ndjson,
    Csv,
}

impl Format {
    fn parse(value: &str) -> Result<Self, ApiError> {
        match value {
            "ndjson" => Ok(Self::Ndjson),
            "csv" => Ok(Self::Csv),
            _ => Err(ApiError::field("format", "must be ndjson or csv")),
        }
    }

    fn reply(&self, events: &[Exported]) -> Result<Response, ApiError> {
        let (content_type, body) = match self {
            Self::Ndjson => ("application/x-ndjson", export::ndjson(events)),
            Self::Csv => ("text/csv; charset=utf-8", export::csv(events)?),
        };
        Ok((
            [(header::CONTENT_TYPE, HeaderValue::from_static(content_type))],
            body,
        )
            .into_response())
    }
}

async fn reload(State(service): State<Arc<Service>>) -> Result<Json<Reloaded>, ApiError> {
    blocking(service, Service::reload).await
}
