//! `pathwise serve`: the recommender as a durable HTTP/JSON service for learning platforms in
//! any language (see `docs/serve.md`).
//!
//! - [`events`] reads posted events ([`xapi`] statements too), [`store`] keeps them durably ([`store::SqliteStore`]),
//! - [`service::Service`] holds the recommender and the learners' states,
//! - [`routes::router`] is the HTTP surface, [`auth::Tokens`] its bearer tokens.

pub mod auth;
pub mod error;
pub mod events;
pub mod routes;
pub mod service;
pub mod store;
pub mod xapi;

pub use auth::Tokens;
pub use error::ApiError;
pub use routes::router;
pub use service::Service;
pub use store::{SqliteStore, Store};

/// Serves `app` on `listener` until the process ends.
pub async fn serve(listener: tokio::net::TcpListener, app: axum::Router) -> std::io::Result<()> {
    axum::serve(listener, app).await
}
