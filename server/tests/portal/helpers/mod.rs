//! What every test module shares: the engines and the macro that runs a test on both
//! ([`engine`]), spawning the portal ([`app`]), signing in ([`users`]), calling it as a browser
//! does ([`calls`]) and driving the ECS emulator ([`sim`]).

#[macro_use]
mod engine;
mod app;
mod calls;
mod sim;
mod users;

pub use app::{Spawn, TestApp};
pub use calls::serde_urlencoded;
pub use engine::Engine;
pub use users::{client_with_cookie, client_without_origin, login, DEMO_PASSWORD};
