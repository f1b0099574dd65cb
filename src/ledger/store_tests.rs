//! Unit tests of the store.
use super::*;

fn row(subject: u32, from: i64) -> Row {
    Row::new(from, i64::MAX, subject, 0, RowFlags::empty())
}

#[test]
fn rows_stay_24_bytes() {
    assert_eq!(std::mem::size_of::<Row>(), 24);
    let mut r = row(0, 0);
    r.set_set(MAX_SETS);
    assert_eq!(r.set(), MAX_SETS);
    r.set_set(0x01_0203);
    assert_eq!(r.set(), 0x01_0203);
}

#[test]
fn heads_spill_and_come_back() {
    let mut st = Store::new(70);
    let s = st.subject("a").expect("ok");
    let t = st.subject("b").expect("ok");
    let slots: Vec<Slot> = (0..10)
        .map(Slot::Purpose)
        .chain([Slot::Registered, Slot::OptOut, Slot::Purpose(65)])
        .collect();
    for (i, slot) in slots.iter().enumerate() {
        st.put(s, *slot, row(s, i as i64), Cold::default());
        st.put(t, *slot, row(t, 100 + i as i64), Cold::default());
        for (j, done) in slots.iter().enumerate().take(i + 1) {
            assert_eq!(st.row(s, *done).map(|r| r.from), Some(j as i64));
            assert_eq!(st.row(t, *done).map(|r| r.from), Some(100 + j as i64));
        }
    }
    assert_eq!(st.slots(s).len(), slots.len());
    // Remove every other slot of `s`; `t`'s rows move and stay found.
    for (i, slot) in slots.iter().enumerate().step_by(2) {
        assert_eq!(st.remove(s, *slot).map(|(r, _)| r.from), Some(i as i64));
    }
    for (i, slot) in slots.iter().enumerate() {
        let expected = (i % 2 == 1).then_some(i as i64);
        assert_eq!(st.row(s, *slot).map(|r| r.from), expected, "{slot:?}");
        assert_eq!(st.row(t, *slot).map(|r| r.from), Some(100 + i as i64));
    }
    assert!(st.is_known(s));
    for slot in &slots {
        st.remove(s, *slot);
    }
    assert!(!st.is_known(s));
    assert!(st.is_known(t));
}
