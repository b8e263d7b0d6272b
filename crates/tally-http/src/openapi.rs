//! The OpenAPI 3.1 document: info, the bearer security scheme, the error table,
//! and the operations (collected from the handlers' annotations).

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{OpenApi, OpenApiBuilder};
use utoipa::OpenApi as _;

#[derive(utoipa::OpenApi)]
#[openapi(
    info(title = "Tally — PayNext Billing API", version = "2.0",
         description = "Self-hosted implementation of the PayNext Billing API (API versions 1.0.0 and 2.0.0)."),
    security(("Auth" = [])),
    components(schemas(crate::error::ErrorBody)),
    tags(
        (name = "Plans", description = "Plans and their prices"),
        (name = "Customers", description = "Customers"),
        (name = "Client Session", description = "Client sessions that start a checkout"),
        (name = "Checkout", description = "Public calls of the checkout page: only the session id, no API key"),
        (name = "Payments", description = "Payments and refunds"),
        (name = "Admin", description = "Organizations, API keys and exchange rates (extension)"),
    )
)]
struct ApiDoc;

pub fn base() -> OpenApi {
    ApiDoc::openapi()
}

/// Adds what the annotations cannot say: the security scheme and the error codes.
pub fn finish(mut api: OpenApi) -> OpenApi {
    let components = api.components.get_or_insert_with(Default::default);
    components.add_security_scheme(
        "Auth",
        SecurityScheme::Http(
            HttpBuilder::new()
                .scheme(HttpAuthScheme::Bearer)
                .description(Some("`Authorization: Bearer <api key>`: your organization's secret API key."))
                .build(),
        ),
    );
    let mut table = String::from("\n\n## Errors\n\nEvery error answers `{\"error\": {\"message\", \"code\", \"param\"?}}`.\n\n| code | status | meaning |\n|---|---|---|\n");
    for (code, status, meaning) in crate::error::CODES {
        table.push_str(&format!("| `{code}` | {status} | {meaning} |\n"));
    }
    let description = api.info.description.take().unwrap_or_default() + &table;
    api.info.description = Some(description);
    let _ = OpenApiBuilder::new;
    api
}
