//! The Leads table's questions: one page of leads for a filter (number, stages, score,
//! qualified dates, a search in names, phones and every field) in a sort order, and how
//! many leads the filter matches. Built to stay fast at 100,000 leads: every sort has an
//! index, and the search goes through a trigram index instead of scanning
//! (`store::lead_query`).

use crate::error::{Error, Result};
use std::path::PathBuf;
use std::sync::Arc;

use super::export::{self, ExportProgress, LeadExport, LeadExportRequest};
use super::filter;
use crate::leadline::Leadline;
use crate::model::lead::{LeadPage, LeadPageRequest, LeadSummary};
use crate::store::{lead_query, leads};
use crate::text;

impl Leadline {
    /// One page of leads for a filter and sort, and how many match in all.
    pub async fn lead_page(&self, request: LeadPageRequest) -> Result<LeadPage> {
        if request.limit == 0 || request.limit > 500 {
            return Err(Error::InvalidInput(text!(
                "leads.page_size",
                "A page holds 1 to 500 leads."
            )));
        }
        filter::check_stages(&request.filter)?;
        let filter = lead_query::conditions(&request.filter);
        let order = lead_query::order_by(request.sort, request.descending);
        self.store
            .call(move |conn| {
                // Leads the bot changed since the last look get their name and search text.
                let tx = conn.transaction()?;
                let refreshed = leads::refresh_dirty(&tx)?;
                tx.commit()?;
                if refreshed > 0 {
                    tracing::debug!(refreshed, "lead names and search text brought up to date");
                }
                let page = lead_query::page(conn, &filter, &order, request.limit, request.offset)?;
                Ok(LeadPage {
                    total: page.total,
                    offset: request.offset,
                    rows: page.rows,
                })
            })
            .await
    }

    /// Writes the leads `request` matches to a new CSV file in `dir`; `progress` hears how
    /// far it got.
    pub async fn export_leads(
        &self,
        request: LeadExportRequest,
        dir: PathBuf,
        progress: impl Fn(ExportProgress) + Send + Sync + 'static,
    ) -> Result<LeadExport> {
        export::export(self, request, dir, Arc::new(progress)).await
    }

    /// The leads with the newest activity, at most `limit` (1–1,000).
    pub async fn latest_leads(&self, limit: u32) -> Result<Vec<LeadSummary>> {
        let limit = limit.clamp(1, 1_000);
        self.store
            .call(move |conn| {
                leads::latest_ids(conn, limit)?
                    .into_iter()
                    .map(|id| summary(conn, id))
                    .collect()
            })
            .await
    }
}

/// One lead as lists show it: its name (the one it gave, else the contact's), phone,
/// number, stage, score and reason, and its fields.
pub(crate) fn summary(conn: &rusqlite::Connection, lead_id: i64) -> Result<LeadSummary> {
    leads::summary(conn, lead_id).map_err(|e| match e {
        rusqlite::Error::QueryReturnedNoRows => Error::NotFound(text!(
            "lead.gone",
            "That lead is no longer in Leadline. Reload the list."
        )),
        other => Error::from(other),
    })
}
