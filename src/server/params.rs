//! Query-string parameters → a [`SearchRequest`], for the API and the page.
//!
//! Every value arrives as text and is parsed here with the library's own
//! parsers ([`parse_doc_type`], [`DateBound`], [`Sort`]), so a bad value
//! gets the same message as the CLI's flag, prefixed with the parameter's
//! name. The query string itself is not looked at: [`crate::search`]
//! parses it. Empty values count as absent (an HTML form sends `type=`
//! for "alle").

use serde::Deserialize;
use utoipa::IntoParams;

use super::api::ApiError;
use super::Limits;
use crate::search::{parse_doc_type, DateBound, Filters, SearchRequest, Sort, DEFAULT_LIMIT};

/// The search parameters shared by `/api/search`, `/api/facets` and `/`.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// The query: words (all must match; if none match all, any may),
    /// "quoted phrases", -excluded, OR. Empty or `*` with a filter lists
    /// the matching documents, newest first. At most 2,000 characters.
    pub q: Option<String>,
    /// Hits per response, 1 to 100 (default 10).
    pub limit: Option<String>,
    /// Hits to skip (paging), 0 to 10,000.
    pub offset: Option<String>,
    /// `relevance` or `date` (newest first). Default: relevance, or date
    /// for a listing.
    pub sort: Option<String>,
    /// Document type: information, konzept, anfrage, antwort,
    /// anfrage_antwort, niederschrift, beschlussvorlage, projekt, sonstiges.
    #[serde(rename = "type")]
    pub doc_type: Option<String>,
    /// Issuing body, e.g. `Ilm-Kreis` (case and hyphens do not matter).
    pub body: Option<String>,
    /// Gremium, e.g. `Kreistag`.
    pub gremium: Option<String>,
    /// Documents dated on or after this day, month or year (YYYY-MM-DD,
    /// YYYY-MM, YYYY).
    pub from: Option<String>,
    /// Documents dated on or before this day, month or year (inclusive).
    pub to: Option<String>,
    /// `best` (the best passage per document, default) or `all` (every
    /// matching passage).
    pub passages: Option<String>,
}

/// `Some(value)` unless the parameter is missing or blank.
fn given(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

fn bad(name: &str, detail: impl std::fmt::Display) -> ApiError {
    ApiError::bad_request(
        format!("invalid parameter '{name}'"),
        format!("{name}: {detail}"),
    )
}

fn number(
    name: &str,
    value: Option<&str>,
    default: usize,
    range: (usize, usize),
) -> Result<usize, ApiError> {
    let Some(text) = value else {
        return Ok(default);
    };
    let (low, high) = range;
    match text.parse::<usize>() {
        Ok(n) if (low..=high).contains(&n) => Ok(n),
        _ => Err(bad(
            name,
            format!("expected a whole number from {low} to {high}, got {text:?}"),
        )),
    }
}

/// The paging parameters of `/oparl/papers` (OParl's `page`, and `limit`).
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OParlListParams {
    /// 1-based page (default 1), at most 1,000,000.
    pub page: Option<String>,
    /// Papers per page, 1 to 100 (default 20).
    pub limit: Option<String>,
}

impl OParlListParams {
    /// `(page, per_page, limit_given)`, checked against `limits`.
    pub fn paging(&self, limits: &Limits) -> Result<(usize, usize, bool), ApiError> {
        let page = number("page", given(&self.page), 1, (1, 1_000_000))?;
        let limit = given(&self.limit);
        let per_page = number(
            "limit",
            limit,
            crate::oparl::serve::DEFAULT_PAGE_SIZE.min(limits.max_limit),
            (1, limits.max_limit),
        )?;
        Ok((page, per_page, limit.is_some()))
    }
}

impl SearchParams {
    /// The filters alone (type, body, Gremium, date range).
    pub fn filters(&self) -> Result<Filters, ApiError> {
        let filters = Filters {
            doc_type: given(&self.doc_type)
                .map(parse_doc_type)
                .transpose()
                .map_err(|e| bad("type", e))?,
            from: given(&self.from)
                .map(str::parse::<DateBound>)
                .transpose()
                .map_err(|e| bad("from", e))?,
            to: given(&self.to)
                .map(str::parse::<DateBound>)
                .transpose()
                .map_err(|e| bad("to", e))?,
            body: given(&self.body).map(str::to_string),
            gremium: given(&self.gremium).map(str::to_string),
            ..Filters::default()
        };
        filters
            .check()
            .map_err(|e| ApiError::bad_request("invalid filters", e.to_string()))?;
        Ok(filters)
    }

    /// The query text, checked against [`Limits::max_query_chars`].
    pub fn query(&self, limits: &Limits) -> Result<String, ApiError> {
        let query = self.q.as_deref().unwrap_or_default();
        let chars = query.chars().count();
        if chars > limits.max_query_chars {
            return Err(bad(
                "q",
                format!(
                    "the query has {chars} characters; at most {} are accepted",
                    limits.max_query_chars
                ),
            ));
        }
        Ok(query.to_string())
    }

    /// The whole request. `default_limit` is used when `limit` is absent.
    pub fn request(&self, limits: &Limits) -> Result<SearchRequest, ApiError> {
        let query = self.query(limits)?;
        let limit = number(
            "limit",
            given(&self.limit),
            DEFAULT_LIMIT.min(limits.max_limit),
            (1, limits.max_limit),
        )?;
        let offset = number("offset", given(&self.offset), 0, (0, limits.max_offset))?;
        let sort = given(&self.sort)
            .map(str::parse::<Sort>)
            .transpose()
            .map_err(|e| bad("sort", e))?;
        let all_passages = match given(&self.passages) {
            None | Some("best") => false,
            Some("all") => true,
            Some(other) => {
                return Err(bad(
                    "passages",
                    format!("expected best or all, got {other:?}"),
                ))
            }
        };
        Ok(SearchRequest {
            query,
            limit,
            offset,
            all_passages,
            sort,
            filters: self.filters()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> SearchParams {
        let mut p = SearchParams::default();
        for &(k, v) in pairs {
            let v = Some(v.to_string());
            match k {
                "q" => p.q = v,
                "limit" => p.limit = v,
                "offset" => p.offset = v,
                "sort" => p.sort = v,
                "type" => p.doc_type = v,
                "from" => p.from = v,
                "to" => p.to = v,
                "passages" => p.passages = v,
                _ => unreachable!(),
            }
        }
        p
    }

    #[test]
    fn values_are_parsed_by_the_library() {
        let limits = Limits::default();
        let r = params(&[
            ("q", "Pflege"),
            ("limit", "20"),
            ("offset", "40"),
            ("sort", "date"),
            ("type", "Anfrage-Antwort"),
            ("from", "2025"),
            ("to", "2025-06"),
            ("passages", "all"),
        ])
        .request(&limits)
        .unwrap();
        assert_eq!((r.limit, r.offset, r.all_passages), (20, 40, true));
        assert_eq!(r.sort, Some(Sort::Date));
        assert_eq!(
            r.filters.doc_type,
            Some(crate::structure::DocType::AnfrageAntwort)
        );
        assert_eq!(r.filters.from, Some("2025".parse().unwrap()));
    }

    #[test]
    fn blank_values_are_absent() {
        let r = params(&[("type", ""), ("from", " "), ("limit", "")])
            .request(&Limits::default())
            .unwrap();
        assert!(r.filters.is_empty());
        assert_eq!(r.limit, DEFAULT_LIMIT);
    }

    #[test]
    fn bad_values_name_their_parameter() {
        let limits = Limits::default();
        for (name, value) in [
            ("limit", "0"),
            ("limit", "101"),
            ("limit", "-1"),
            ("offset", "10001"),
            ("sort", "popular"),
            ("type", "memo"),
            ("from", "2025-13"),
            ("passages", "some"),
        ] {
            let err = params(&[(name, value)]).request(&limits).unwrap_err();
            let (status, error, detail) = err.parts();
            assert_eq!(status, axum::http::StatusCode::BAD_REQUEST);
            assert!(error.contains(name), "{name}={value}: {error}");
            assert!(detail.starts_with(&format!("{name}: ")), "{detail}");
        }
        let long = "a".repeat(2001);
        let err = params(&[("q", &long)]).request(&limits).unwrap_err();
        assert!(err.parts().2.contains("2001 characters"));
    }

    #[test]
    fn contradicting_dates_are_rejected() {
        let err = params(&[("from", "2026"), ("to", "2025")])
            .request(&Limits::default())
            .unwrap_err();
        assert!(
            err.parts().2.contains("date range is empty"),
            "{:?}",
            err.parts()
        );
    }
}
