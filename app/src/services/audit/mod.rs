//! `Audit`: the append-only audit log. `log` appends (inserts only, never updates or deletes);
//! `query` is the keyset-paginated, filtered read the Audit page and its exports use.

pub mod log;
pub mod query;
mod record;

use super::Db;

#[derive(Clone)]
pub struct Audit {
    pub db: Db,
}
