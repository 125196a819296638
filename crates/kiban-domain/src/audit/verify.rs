//! Streaming verification of the chain: events are fed in storage order and the first fault is
//! named, so `kiban audit verify` can say exactly which event was touched.

use super::{AuditEvent, Checkpoint, GENESIS};

/// The first thing wrong with a chain.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainFault {
    #[error("監査イベント {expected} がありません（次は {found}）: 削除または挿入されています / event {expected} is missing (found {found}): deleted or inserted")]
    Gap { expected: u64, found: u64 },
    #[error("監査イベント {seq} の前ハッシュが直前のイベントと一致しません: 並べ替えまたは削除 / event {seq} does not link to the previous event: reordered or deleted")]
    BrokenLink { seq: u64 },
    #[error("監査イベント {seq} の内容がハッシュと一致しません: 改ざんされています / event {seq} does not match its hash: edited")]
    Edited { seq: u64 },
    #[error("チェックポイント {seq} のハッシュが記録と一致しません: 以降が書き換えられています / checkpoint at {seq} does not match the chain: rewritten")]
    CheckpointMismatch { seq: u64 },
    #[error(
        "チェックポイント {seq} の署名が不正です / checkpoint at {seq} has an invalid signature"
    )]
    CheckpointSignature { seq: u64 },
    #[error("チェックポイント {seq} の監査イベントがありません: 末尾が削除されています / the chain ends before checkpoint {seq}: events were deleted from the end")]
    Truncated { seq: u64 },
}

impl ChainFault {
    /// The sequence number of the first bad event.
    pub fn seq(&self) -> u64 {
        match *self {
            Self::Gap { expected, .. } => expected,
            Self::BrokenLink { seq }
            | Self::Edited { seq }
            | Self::CheckpointMismatch { seq }
            | Self::CheckpointSignature { seq }
            | Self::Truncated { seq } => seq,
        }
    }
}

/// Feeds on events in sequence order; checkpoints are checked as their position passes.
pub struct ChainVerifier<'a> {
    expected_seq: u64,
    prev: [u8; 32],
    checkpoints: &'a [Checkpoint],
    next_checkpoint: usize,
}

impl<'a> ChainVerifier<'a> {
    /// `checkpoints` must be sorted by `seq` and have valid signatures (checked by the caller
    /// with the platform key).
    pub fn new(checkpoints: &'a [Checkpoint]) -> Self {
        Self {
            expected_seq: 1,
            prev: GENESIS,
            checkpoints,
            next_checkpoint: 0,
        }
    }

    pub fn push(&mut self, event: &AuditEvent) -> Result<(), ChainFault> {
        if event.seq != self.expected_seq {
            return Err(ChainFault::Gap {
                expected: self.expected_seq,
                found: event.seq,
            });
        }
        if event.entry.chain_hash(event.seq, &event.prev_hash) != event.hash {
            return Err(ChainFault::Edited { seq: event.seq });
        }
        if event.prev_hash != self.prev {
            return Err(ChainFault::BrokenLink { seq: event.seq });
        }
        while let Some(cp) = self
            .checkpoints
            .get(self.next_checkpoint)
            .filter(|c| c.seq <= event.seq)
        {
            if cp.seq == event.seq && cp.hash != event.hash {
                return Err(ChainFault::CheckpointMismatch { seq: cp.seq });
            }
            self.next_checkpoint += 1;
        }
        self.prev = event.hash;
        self.expected_seq += 1;
        Ok(())
    }

    /// Ends verification: every checkpoint must have been reached.
    pub fn finish(self) -> Result<u64, ChainFault> {
        if let Some(cp) = self.checkpoints.get(self.next_checkpoint) {
            return Err(ChainFault::Truncated { seq: cp.seq });
        }
        Ok(self.expected_seq - 1)
    }
}
