//! Text for the person the data is about: the words the text forms of
//! reports and receipts use. Dates as people read them ("1 March 2026 at
//! 10:00", UTC, to the minute), titles instead of names, no event ids, no
//! snake_case words. The JSON forms keep the names, ids and RFC 3339 times.

use time::OffsetDateTime;

use crate::ledger::decision::{ConsentStatus, Decision};
use crate::ledger::records::Answer;
use crate::model::catalog::Catalog;
use crate::model::category::title_from_name;
use crate::model::evidence::{CollectionMethod, Evidence};
use crate::rights::report::utc;

/// The sentence that says which time zone the dates are in.
pub(crate) const UTC_NOTE: &str = "All dates and times are in UTC.";

/// An instant as people read it, in UTC to the minute: `1 March 2026 at 10:00`.
pub(crate) fn when(t: OffsetDateTime) -> String {
    let t = utc(t);
    format!(
        "{} {} {} at {:02}:{:02}",
        t.day(),
        t.month(),
        t.year(),
        t.hour(),
        t.minute()
    )
}

/// The title of category `name` in `catalog` (one made from the name if the
/// catalog does not declare it).
pub(crate) fn category_title(catalog: &Catalog, name: &str) -> String {
    catalog
        .category(name)
        .map_or_else(|| title_from_name(name), |c| c.title().to_owned())
}

/// What the subject answered, when, and what has become of it by the
/// instant described: `yes, on 1 March 2026 at 10:00, valid until ...`.
pub(crate) fn answer_text(
    answer: Answer,
    at: OffsetDateTime,
    valid_until: Option<OffsetDateTime>,
    withdrawn_all_at: Option<OffsetDateTime>,
    status: ConsentStatus,
) -> String {
    let mut text = match answer {
        Answer::Given => format!("yes, on {}", when(at)),
        Answer::Refused => format!("no, on {}", when(at)),
        Answer::Withdrawn => format!("you withdrew your consent on {}", when(at)),
        Answer::Objected => format!("you objected on {}", when(at)),
    };
    if answer == Answer::Given {
        match valid_until {
            Some(e) => text.push_str(&format!(", valid until {}", when(e))),
            None => text.push_str(", with no end date"),
        }
    }
    if let Some(w) = withdrawn_all_at {
        text.push_str(&format!(
            "; you withdrew it with all your consents on {}",
            when(w)
        ));
    }
    match (answer, status) {
        (Answer::Given, ConsentStatus::Expired) => text.push_str("; it has expired"),
        (Answer::Given, ConsentStatus::Invalidated) => {
            text.push_str("; our notice has changed since, so we need to ask you again");
        }
        (Answer::Given, ConsentStatus::OptedOut) => text.push_str(
            "; it is on hold while your browser or device asks us not to sell or share your data",
        ),
        (_, ConsentStatus::Unknown) => text.push_str(" (after the date of this document)"),
        _ => {}
    }
    text.push('.');
    text
}

/// How a choice was collected, for the person who made it:
/// `on our consent banner (web), after seeing version 2 of our notice`.
/// Proof references, jurisdiction and language codes are left to the JSON.
pub(crate) fn how_collected(e: &Evidence) -> String {
    let mut text = method_text(e.method()).to_owned();
    if let Some(c) = e.channel() {
        text.push_str(&format!(" ({c})"));
    }
    if let Some(v) = e.notice_version() {
        text.push_str(&format!(", after seeing version {v} of our notice"));
    }
    text
}

fn method_text(method: CollectionMethod) -> &'static str {
    match method {
        CollectionMethod::Banner => "on our consent banner",
        CollectionMethod::SettingsPage => "in your privacy settings",
        CollectionMethod::Form => "on a form",
        CollectionMethod::EmailLink => "through a link in an e-mail",
        CollectionMethod::Phone => "by phone",
        CollectionMethod::InPerson => "in person",
        CollectionMethod::Api => "through one of our systems",
        CollectionMethod::Import => "in records we brought over from an earlier system",
        CollectionMethod::BrowserSignal => "by a signal from your browser or device",
        CollectionMethod::Other => "another way",
    }
}

/// A decision for one category, for the person it is about: whether the
/// data is used and why, without times (the answer says when).
pub(crate) fn decision_text(d: Decision) -> String {
    let reason = match d {
        Decision::Granted { .. } => return "used, with your consent".to_owned(),
        Decision::NotConsentBased { basis } => {
            return format!("used, on the legal basis of {basis}");
        }
        Decision::NoConsent => "you have not agreed",
        Decision::Refused { .. } => "you said no",
        Decision::Withdrawn { all: false, .. } => "you withdrew your consent",
        Decision::Withdrawn { all: true, .. } => "you withdrew all your consents",
        Decision::Expired { .. } => "your consent has expired",
        Decision::NotYetValid { .. } => "your consent is dated after this document",
        Decision::CategoryNotCovered => "your consent does not cover it",
        Decision::NoticeOutdated { .. } => {
            "our notice has changed since you agreed, so we need to ask you again"
        }
        Decision::Objected { .. } => "you objected",
        Decision::OptedOut { .. } => {
            "your browser or device asks us not to sell or share your data"
        }
        Decision::ExplicitConsentRequired => {
            "it is sensitive data, used only if you explicitly agree"
        }
        Decision::Erased { .. } => "we erased your records",
        Decision::NotRequired {
            mechanism: crate::regime::Mechanism::NoticeOnly,
        } => return "used, as the law allows with notice only".to_owned(),
        Decision::NotRequired { .. } => {
            return "used until you tell us to stop, as the law allows".to_owned();
        }
        Decision::Prohibited => "the law does not allow it for you",
        Decision::ParentalConsentRequired { jointly: false } => {
            "it needs the consent of a parent or guardian"
        }
        Decision::ParentalConsentRequired { jointly: true } => {
            "it needs your consent together with a parent's or guardian's"
        }
        Decision::MinorOptInRequired => "at your age it needs your agreement first",
        Decision::ConsentRequired => "the law allows it only with your agreement",
        Decision::CategoryNotInPurpose
        | Decision::ForeignHandle
        | Decision::UnknownPurpose
        | Decision::UnknownCategory => "it is not part of this purpose",
    };
    format!("not used: {reason}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn dates_people_read() {
        assert_eq!(
            when(datetime!(2026-03-01 10:00 UTC)),
            "1 March 2026 at 10:00"
        );
        assert_eq!(
            when(datetime!(2027-12-31 23:59:59.9 UTC)),
            "31 December 2027 at 23:59"
        );
        // Another offset is shown in UTC.
        assert_eq!(
            when(datetime!(2026-03-01 01:30 +02:00)),
            "28 February 2026 at 23:30"
        );
    }
}
