//! Auto traits of the public types (API guidelines C-SEND-SYNC, C-GOOD-ERR):
//! a host shares one ledger between threads behind a lock or an `Arc`, moves
//! events and snapshots to its storage threads, and boxes our error into its
//! own. These are compile-time checks: if a type loses `Send` or `Sync`, this
//! file stops compiling.

use consentry::{
    Answer, Applied, Ask, Audit, Catalog, CatalogBuilder, Category, CategoryDecision,
    CategoryHandle, Change, Choice, CollectionMethod, ConsentReceipt, ConsentRecord, ConsentStatus,
    Decision, DefaultRule, Error, Event, EventId, EventKind, Evidence, EvidenceProblem,
    ExpiringGrant, Grant, Ledger, LegalBasis, NameKind, OptOutSignal, PrunedRecord, Purpose,
    PurposeDef, PurposeHandle, PurposeReport, ReceiptOptions, Recorded, Refusal, Snapshot,
    SubjectExport, SubjectHandle, SubjectMark, SubjectRecords, SubjectReport,
};

fn send_sync<T: Send + Sync>() {}

fn error_type<E: std::error::Error + Send + Sync + 'static>() {}

#[test]
fn public_types_are_send_and_sync() {
    // The engine and its inputs.
    send_sync::<Ledger>();
    send_sync::<Catalog>();
    send_sync::<CatalogBuilder>();
    send_sync::<Purpose>();
    send_sync::<PurposeDef>();
    send_sync::<Category>();
    send_sync::<LegalBasis>();
    send_sync::<Grant>();
    send_sync::<Change>();
    send_sync::<Choice>();
    send_sync::<Evidence>();
    send_sync::<CollectionMethod>();
    // Handles for the hot path.
    send_sync::<SubjectHandle>();
    send_sync::<PurposeHandle>();
    send_sync::<CategoryHandle>();
    // What the host persists and replicates.
    send_sync::<Event>();
    send_sync::<EventId>();
    send_sync::<EventKind>();
    send_sync::<Applied>();
    send_sync::<Recorded>();
    send_sync::<Snapshot>();
    // Answers and views.
    send_sync::<Decision>();
    send_sync::<ConsentStatus>();
    send_sync::<Answer>();
    send_sync::<ConsentRecord>();
    send_sync::<SubjectMark>();
    send_sync::<SubjectRecords>();
    send_sync::<SubjectReport>();
    send_sync::<PurposeReport>();
    send_sync::<CategoryDecision>();
    send_sync::<DefaultRule>();
    send_sync::<OptOutSignal>();
    send_sync::<SubjectExport>();
    send_sync::<ConsentReceipt>();
    send_sync::<ReceiptOptions>();
    send_sync::<Audit>();
    send_sync::<Ask>();
    send_sync::<Refusal>();
    send_sync::<ExpiringGrant<'static>>();
    send_sync::<PrunedRecord>();
    // Errors.
    send_sync::<Error>();
    send_sync::<NameKind>();
    send_sync::<EvidenceProblem>();
}

/// `<Probe<T>>::HAS` says whether `T: Default`, decided at compile time
/// (the `impls` crate's trick: an inherent constant where the bound holds
/// shadows the blanket trait's).
struct Probe<T: ?Sized>(std::marker::PhantomData<T>);

trait NoDefault {
    const HAS: bool = false;
}

impl<T: ?Sized> NoDefault for T {}

impl<T: Default> Probe<T> {
    const HAS: bool = true;
}

#[test]
fn event_id_has_no_default() {
    // An all-zero id would name no event: ids come from content or parsing.
    const EVENT_ID: bool = <Probe<EventId>>::HAS;
    const STRING: bool = <Probe<String>>::HAS;
    assert_eq!((EVENT_ID, STRING), (false, true));
}

#[test]
fn error_is_a_std_error_that_crosses_threads() {
    error_type::<Error>();
    // It boxes into the error type hosts use most.
    let boxed: Box<dyn std::error::Error + Send + Sync + 'static> =
        Box::new(Error::UnknownPurpose("ads".into()));
    assert_eq!(boxed.to_string(), "purpose `ads` is not declared");
}
