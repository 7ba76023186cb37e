//! The Leads table's questions: one page of leads for a filter (number, stages, score,
//! qualified dates, a search in names, phones and every field) in a sort order, and how
//! many leads the filter matches. Built to stay fast at 100,000 leads: every sort has an
//! index, and the search goes through a trigram index instead of scanning
//! (`store::lead_query`).

pub use super::model::{LeadFilter, LeadPage, LeadPageRequest, LeadSort};

use crate::Leadline;
use crate::error::{Error, Result};
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
        let (filter_sql, params) = lead_query::conditions(&request.filter)?;
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
                let (total, rows) = lead_query::page(
                    conn,
                    &filter_sql,
                    &params,
                    &order,
                    request.limit,
                    request.offset,
                )?;
                Ok(LeadPage {
                    total,
                    offset: request.offset,
                    rows,
                })
            })
            .await
    }
}
