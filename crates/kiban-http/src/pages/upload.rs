//! Reading a file field of a multipart form under a size cap, shared by the pages that take
//! uploads (the municipal interface file, the care office's V4 files).

use axum::extract::multipart::{Field, MultipartError};

/// Reads `field` chunk by chunk, adding its size to `used`; returns its bytes, or nothing once
/// `used` passes `max`. An oversized file is never all in memory, and the rest of it is still
/// read and dropped (the body limit caps it): answering before the browser has sent everything
/// would close the connection under it and lose the answer. The caller tells an oversized upload
/// by `*used > max`.
pub(crate) async fn read_capped(
    field: &mut Field<'_>,
    used: &mut usize,
    max: usize,
) -> Result<Vec<u8>, MultipartError> {
    let mut bytes = Vec::new();
    while let Some(chunk) = field.chunk().await? {
        *used += chunk.len();
        if *used > max {
            bytes = Vec::new();
        } else {
            bytes.extend_from_slice(&chunk);
        }
    }
    Ok(bytes)
}
