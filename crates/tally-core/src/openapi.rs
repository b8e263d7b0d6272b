//! OpenAPI schemas of the core value types the HTTP layer shows as they are
//! (feature `openapi`): currencies and countries are string enums of their codes.

use crate::country::Country;
use crate::currency::Currency;
use std::borrow::Cow;
use utoipa::openapi::schema::{ObjectBuilder, SchemaType, Type};
use utoipa::openapi::{RefOr, Schema};

fn code_enum(description: &str, codes: Vec<&'static str>) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(SchemaType::Type(Type::String))
        .description(Some(description))
        .enum_values(Some(codes))
        .into()
}

impl utoipa::PartialSchema for Currency {
    fn schema() -> RefOr<Schema> {
        code_enum(
            "The 3-letter currency code in ISO 4217 format, e.g. USD for US dollars",
            Currency::all().map(Currency::code).collect(),
        )
    }
}

impl utoipa::ToSchema for Currency {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("Currency")
    }
}

impl utoipa::PartialSchema for Country {
    fn schema() -> RefOr<Schema> {
        code_enum("ISO 3166-1 alpha-2 country code (e.g. US, DE)", Country::all().map(Country::code).collect())
    }
}

impl utoipa::ToSchema for Country {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("Country")
    }
}
