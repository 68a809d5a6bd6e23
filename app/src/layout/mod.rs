//! The console frame every page sits in: top bar, side navigation, content area, footer.

mod console;
mod nav;
mod page_header;

pub use console::ConsoleLayout;
pub use nav::NAV_ENTRIES;
pub use page_header::{Crumb, PageHeader};
