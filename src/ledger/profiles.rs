//! Interned evidence: the profiles (method, notice version, channel,
//! jurisdiction, language) that rows share, their texts and the proof
//! references, each counted by its users (see [`super::store`]).

use crate::error::Result;
use crate::ledger::store::{Cold, Store};
use crate::model::evidence::{
    BIT_EXPLICIT, BIT_SIGNAL_SHOWN, EvidenceView, GIVEN_BY_BITS, method_index, method_of,
};

/// Evidence apart from the proof reference: few distinct values, interned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub(crate) struct Profile {
    pub(crate) method: u8,
    /// 0 for none.
    pub(crate) notice: u32,
    /// Interned text plus one; 0 for none.
    pub(crate) channel: u32,
    pub(crate) jurisdiction: u32,
    pub(crate) language: u32,
    pub(crate) verification: u32,
    /// Who gave it, explicit, signal conflict shown
    /// ([`EvidenceView::regime_bits`]).
    pub(crate) bits: u8,
}

impl Store {
    /// Interns evidence, taking a reference to its profile and proof
    /// reference. On error nothing is taken.
    pub(crate) fn intern_evidence(&mut self, e: &EvidenceView<'_>) -> Result<Cold> {
        // Look the texts up without taking references: an existing profile
        // already holds them.
        let mut missing = false;
        let mut lookup = |field: usize, s: Option<&str>, store: &mut Store| -> u32 {
            let Some(s) = s else { return 0 };
            if let Some(&last) = store.last_texts.get(field)
                && last != 0
                && store.texts.get(last - 1) == s
            {
                return last;
            }
            match store.texts.find(s) {
                Some(i) => {
                    if let Some(slot) = store.last_texts.get_mut(field) {
                        *slot = i + 1;
                    }
                    i + 1
                }
                None => {
                    missing = true;
                    0
                }
            }
        };
        let mut profile = Profile {
            method: method_index(e.method),
            notice: e.notice_version.unwrap_or(0),
            channel: lookup(0, e.channel, self),
            jurisdiction: lookup(1, e.jurisdiction, self),
            language: lookup(2, e.language, self),
            verification: lookup(3, e.verification, self),
            bits: e.regime_bits(),
        };
        let existing = (!missing).then(|| self.profiles.find(&profile)).flatten();
        let profile = match existing {
            Some(_) => self.profiles.acquire(profile)?,
            None => {
                // A new profile: it takes a reference to each of its texts.
                let mut taken: [Option<u32>; 4] = [None; 4];
                let mut failed = None;
                for (slot, text) in
                    taken
                        .iter_mut()
                        .zip([e.channel, e.jurisdiction, e.language, e.verification])
                {
                    let Some(text) = text else { continue };
                    match self.texts.acquire(text) {
                        Ok(i) => *slot = Some(i),
                        Err(err) => {
                            failed = Some(err);
                            break;
                        }
                    }
                }
                let plus_one = |t: Option<u32>| t.map_or(0, |i| i + 1);
                let [channel, jurisdiction, language, verification] = taken;
                profile.channel = plus_one(channel);
                profile.jurisdiction = plus_one(jurisdiction);
                profile.language = plus_one(language);
                profile.verification = plus_one(verification);
                let acquired = match failed {
                    Some(err) => Err(err),
                    None => self.profiles.acquire(profile),
                };
                match acquired {
                    Ok(i) => i,
                    Err(err) => {
                        for t in taken.into_iter().flatten() {
                            self.texts.release(t);
                        }
                        return Err(err);
                    }
                }
            }
        };
        let proof = match e.proof {
            Some(p) => match self.proofs.acquire(p) {
                Ok(i) => i + 1,
                Err(err) => {
                    self.release_evidence(&Cold { profile, proof: 0 });
                    return Err(err);
                }
            },
            None => 0,
        };
        Ok(Cold { profile, proof })
    }

    #[inline]
    pub(crate) fn profile(&self, cold: &Cold) -> Profile {
        self.profiles.get(cold.profile)
    }

    /// The evidence of a row, borrowed.
    pub(crate) fn evidence_view(&self, cold: &Cold) -> EvidenceView<'_> {
        let p = self.profile(cold);
        let text = |i: u32| i.checked_sub(1).map(|i| self.texts.get(i));
        EvidenceView {
            method: method_of(p.method),
            notice_version: (p.notice != 0).then_some(p.notice),
            channel: text(p.channel),
            proof: cold.proof.checked_sub(1).map(|i| self.proofs.get(i)),
            jurisdiction: text(p.jurisdiction),
            language: text(p.language),
            given_by: crate::model::evidence::GivenBy::from_index(p.bits & GIVEN_BY_BITS),
            verification: text(p.verification),
            explicit: p.bits & BIT_EXPLICIT != 0,
            signal_conflict_shown: p.bits & BIT_SIGNAL_SHOWN != 0,
        }
    }

    /// Releases the references an evidence holds (for a row that was never
    /// stored, e.g. a change that failed after interning).
    pub(crate) fn release_evidence(&mut self, cold: &Cold) {
        if let Some(p) = self.profiles.release(cold.profile) {
            for t in [p.channel, p.jurisdiction, p.language, p.verification] {
                if let Some(t) = t.checked_sub(1) {
                    self.texts.release(t);
                }
            }
        }
        if let Some(i) = cold.proof.checked_sub(1) {
            self.proofs.release(i);
        }
    }
}
