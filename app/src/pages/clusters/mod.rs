//! The Clusters area: list of clusters and a cluster page with tabs.

mod detail;
mod list;

pub use detail::ClusterPage;
pub use list::ClustersPage;
