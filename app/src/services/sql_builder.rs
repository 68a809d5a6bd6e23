//! SQL with optional parts, for `AnyPool`.
//!
//! `sqlx::QueryBuilder<Any>` cannot serve PostgreSQL in sqlx 0.8: `AnyArguments` keeps the
//! default placeholder `?`, which PostgreSQL rejects (sqlx issue #3000; the backend is only
//! known when the query runs). This is the same idea with `$N` placeholders, which both engines
//! accept: text and typed binds go into one `AnyArguments`, numbered as they are pushed.

use sqlx::{
    any::{Any, AnyArguments, AnyRow},
    Arguments, Encode, FromRow, Type,
};

#[derive(Default)]
pub struct SqlBuilder {
    sql: String,
    args: AnyArguments<'static>,
}

impl SqlBuilder {
    pub fn new(sql: impl Into<String>) -> Self {
        Self { sql: sql.into(), args: AnyArguments::default() }
    }

    /// Appends SQL text (never user input: that goes through [`Self::push_bind`]).
    pub fn push(&mut self, sql: &str) -> &mut Self {
        self.sql.push_str(sql);
        self
    }

    /// Appends a placeholder for `value`.
    pub fn push_bind<T>(&mut self, value: T) -> &mut Self
    where
        T: 'static + Encode<'static, Any> + Type<Any>,
    {
        let placeholder = self.bind(value);
        self.sql.push_str(&placeholder);
        self
    }

    /// Binds `value` and returns its placeholder without appending it, for SQL that names one
    /// value twice.
    pub fn bind<T>(&mut self, value: T) -> String
    where
        T: 'static + Encode<'static, Any> + Type<Any>,
    {
        // Adding to AnyArguments only records the value; it cannot fail for a type Any binds.
        self.args.add(value).expect("a value Any can bind");
        format!("${}", self.args.len())
    }

    pub fn sql(&self) -> &str {
        &self.sql
    }

    /// The SQL and its arguments, for running it some other way (e.g. under EXPLAIN).
    pub fn into_parts(self) -> (String, AnyArguments<'static>) {
        (self.sql, self.args)
    }

    /// Runs the query and reads every row as `T`.
    pub async fn fetch_all<T>(self, pool: &sqlx::AnyPool) -> Result<Vec<T>, sqlx::Error>
    where
        T: for<'r> FromRow<'r, AnyRow> + Send + Unpin,
    {
        sqlx::query_as_with::<Any, T, _>(&self.sql, self.args).fetch_all(pool).await
    }
}
