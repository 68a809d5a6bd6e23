//! The signed-in user's own settings: API tokens.

mod tokens;

pub use tokens::TokensPage;
