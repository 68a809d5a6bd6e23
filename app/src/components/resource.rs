//! `Resource` with one JSON decoder for the whole app.
//!
//! Leptos' default resource codec parses with `serde_json::from_str`, while server functions
//! parse their responses with `serde_json::from_slice`. Every type that is both a resource
//! value and a server-function result was therefore compiled into the wasm twice, once per
//! serde_json reader (about a tenth of the hydrate bundle). This codec writes the same JSON
//! and parses it with `from_slice`, so each type's `Deserialize` code exists once.
//! Use `crate::components::resource::Resource` instead of the prelude's in pages.

use leptos::server::codee::{Decoder, Encoder};
use serde::{de::DeserializeOwned, Serialize};

/// JSON codec whose decoder shares the server functions' `from_slice` code path.
pub struct Json;

impl<T: Serialize> Encoder<T> for Json {
    type Error = serde_json::Error;
    type Encoded = String;

    fn encode(val: &T) -> Result<String, serde_json::Error> {
        serde_json::to_string(val)
    }
}

impl<T: DeserializeOwned> Decoder<T> for Json {
    type Error = serde_json::Error;
    type Encoded = str;

    fn decode(val: &str) -> Result<T, serde_json::Error> {
        serde_json::from_slice(val.as_bytes())
    }
}

/// The prelude's `Resource` with the [`Json`] codec; create one with
/// `Resource::new_with_options(source, fetcher, false)`.
pub type Resource<T> = leptos::prelude::Resource<T, Json>;
