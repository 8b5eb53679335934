//! The OpenAPI document, generated from the handlers and types (`GET /openapi.json`; a copy is
//! kept in `server/openapi.json`, checked by a test).

use axum::Json;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};

/// The document.
#[derive(OpenApi)]
#[openapi(
    info(title = "webwx serve", description = "Many Web WeChat accounts behind one HTTP API."),
    paths(
        super::health::health, super::health::metrics,
        super::accounts::list, super::accounts::create, super::accounts::get_one,
        super::accounts::login, super::accounts::qr_png, super::accounts::delete,
        super::actions::send_text, super::actions::send_file, super::actions::operate,
        super::actions::logout, super::actions::get_one,
        super::contacts::list, super::contacts::get_one, super::media::download,
        super::events::stream, super::events::account_stream,
        super::tokens::list, super::tokens::create, super::tokens::delete,
    ),
    modifiers(&Bearer),
    tags(
        (name = "accounts", description = "Accounts and their logins"),
        (name = "actions", description = "Sends and operations, made by the node holding the account"),
        (name = "contacts", description = "Contacts and groups"),
        (name = "events", description = "Server-Sent Events"),
        (name = "tokens", description = "API tokens (admin only)"),
        (name = "service", description = "Health and metrics"),
    )
)]
pub(crate) struct ApiDoc;

struct Bearer;

impl Modify for Bearer {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        if let Some(components) = openapi.components.as_mut() {
            components.add_security_scheme(
                "bearer",
                SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
            );
        }
    }
}

/// The document as JSON, pretty.
pub fn openapi_json() -> String {
    ApiDoc::openapi().to_pretty_json().unwrap_or_default()
}

/// `GET /openapi.json`.
pub(crate) async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
