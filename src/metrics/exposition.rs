//! Exposition bodies, assembled from pieces instead of re-encoded: each family's header
//! (per format), each source's sample lines for that family, and a live tail written per
//! request. Sample lines are identical in the text 0.0.4 and OpenMetrics 1.0 formats, so
//! one piece serves both. For gzip, every piece is compressed once into a raw deflate
//! stream ended with a sync flush; such streams concatenate into one valid deflate stream,
//! so a gzip body is a header, the compressed pieces, a final stored block with the tail,
//! and a trailer whose CRC-32 is combined from the pieces' CRCs. Nothing is recompressed
//! unless its source changed.

use std::pin::Pin;
use std::sync::{Arc, LazyLock};
use std::task::{Context, Poll};

use bytes::Bytes;
use flate2::{Compress, Compression, FlushCompress};
use hyper::body::{Body, Frame, SizeHint};

use super::{Samples, families};

/// The two exposition formats `/metrics` serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Prometheus text format 0.0.4.
    Text,
    /// OpenMetrics 1.0.
    OpenMetrics,
}

impl Format {
    /// Both formats.
    pub const ALL: [Format; 2] = [Format::Text, Format::OpenMetrics];

    /// The `Content-Type` of a body in this format.
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Text => "text/plain; version=0.0.4; charset=utf-8",
            Format::OpenMetrics => "application/openmetrics-text; version=1.0.0; charset=utf-8",
        }
    }

    fn index(self) -> usize {
        match self {
            Format::Text => 0,
            Format::OpenMetrics => 1,
        }
    }
}

/// Bytes of plain text, its raw deflate stream (sync-flushed), and its CRC-32.
#[derive(Debug, Clone)]
pub struct Piece {
    plain: Bytes,
    deflated: Bytes,
    crc: u32,
}

impl Piece {
    /// Compresses `plain` once.
    pub fn new(mut plain: Vec<u8>) -> Piece {
        let crc = crc32fast::hash(&plain);
        let mut deflated = deflate_sync(&plain);
        // Pieces live until their source changes: spare capacity of the growing buffers
        // (up to half of the text, three quarters of the deflate room) would stay resident.
        plain.shrink_to_fit();
        deflated.shrink_to_fit();
        Piece {
            plain: Bytes::from(plain),
            deflated: Bytes::from(deflated),
            crc,
        }
    }

    fn len(&self) -> u64 {
        self.plain.len() as u64
    }
}

/// The samples of one source (a collector, or the publisher's own families), compressed,
/// one optional piece per family in [`families`] order.
#[derive(Debug, Default, Clone)]
pub struct Pieces(Vec<Option<Piece>>);

impl Pieces {
    /// Compresses each non-empty buffer once.
    pub fn new(samples: Samples<'_>) -> Pieces {
        Pieces(
            samples
                .into_buffers()
                .into_iter()
                .map(|b| (!b.is_empty()).then(|| Piece::new(b)))
                .collect(),
        )
    }

    /// Bytes of plain text held.
    pub fn plain_len(&self) -> usize {
        self.0.iter().flatten().map(|p| p.plain.len()).sum()
    }
}

/// The HELP/TYPE pieces of every family per format (fixed text, compressed once).
static HEADERS: LazyLock<Vec<[Piece; 2]>> = LazyLock::new(|| {
    families()
        .map(|f| Format::ALL.map(|fmt| Piece::new(f.header(fmt).into_bytes())))
        .collect()
});

/// One format's body of a snapshot, without its live tail.
#[derive(Debug, Clone)]
struct Body1 {
    plain: Arc<[Bytes]>,
    /// The gzip header and the compressed pieces; a final block and the trailer follow
    /// per request.
    gzip: Arc<[Bytes]>,
    len: u64,
    crc: u32,
}

/// A snapshot's bodies in both formats, plain and gzip, as shared chunks.
#[derive(Debug, Clone)]
pub struct Exposition([Body1; 2]);

impl Default for Exposition {
    fn default() -> Self {
        Exposition::assemble(&[])
    }
}

/// Fixed gzip header: deflate, no name, no time, unknown OS.
const GZIP_HEADER: [u8; 10] = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];

impl Exposition {
    /// Assembles the bodies from `sources`, in order: for each family (except the live
    /// ones, which the tail carries), its header and then every source's piece.
    pub fn assemble(sources: &[&Pieces]) -> Exposition {
        Exposition(Format::ALL.map(|format| {
            let mut plain = Vec::new();
            let mut gzip = vec![Bytes::from_static(&GZIP_HEADER)];
            let mut crc = crc32fast::Hasher::new();
            for (i, family) in families().enumerate() {
                if family.live {
                    continue;
                }
                let header = HEADERS.get(i).map(|h| &h[format.index()]);
                let pieces = sources
                    .iter()
                    .filter_map(|s| s.0.get(i).and_then(Option::as_ref));
                for piece in header.into_iter().chain(pieces) {
                    plain.push(piece.plain.clone());
                    gzip.push(piece.deflated.clone());
                    crc.combine(&crc32fast::Hasher::new_with_initial_len(
                        piece.crc,
                        piece.len(),
                    ));
                }
            }
            Body1 {
                len: plain.iter().map(|b| b.len() as u64).sum(),
                plain: plain.into(),
                gzip: gzip.into(),
                crc: crc.finalize(),
            }
        }))
    }

    /// Length of the plain body in `format`, without the live tail.
    pub fn len(&self, format: Format) -> u64 {
        self.0[format.index()].len
    }

    /// True when nothing at all would be served (never: headers are always there).
    pub fn is_empty(&self) -> bool {
        self.0.iter().all(|b| b.len == 0)
    }

    /// The response body in `format`, gzip or not, ending with `live` (the samples of the
    /// live families, written by the caller) and, for OpenMetrics, `# EOF`.
    pub fn body(&self, format: Format, gzip: bool, live: Samples<'_>) -> ResponseBody {
        let body = &self.0[format.index()];
        let mut tail = Vec::new();
        for ((family, buf), header) in families().zip(live.into_buffers()).zip(HEADERS.iter()) {
            if family.live {
                tail.extend_from_slice(&header[format.index()].plain);
                tail.extend_from_slice(&buf);
            }
        }
        if format == Format::OpenMetrics {
            tail.extend_from_slice(b"# EOF\n");
        }
        if !gzip {
            let mut chunks = body.plain.to_vec();
            chunks.push(Bytes::from(tail));
            return ResponseBody::new(chunks);
        }
        let mut crc = crc32fast::Hasher::new_with_initial_len(body.crc, body.len);
        crc.update(&tail);
        let total = body.len + tail.len() as u64;
        let mut chunks = body.gzip.to_vec();
        chunks.push(Bytes::from(stored_final_blocks(&tail)));
        let mut trailer = Vec::with_capacity(8);
        trailer.extend_from_slice(&crc.finalize().to_le_bytes());
        // ISIZE is the length modulo 2^32 (RFC 1952).
        trailer.extend_from_slice(&(total as u32).to_le_bytes());
        chunks.push(Bytes::from(trailer));
        ResponseBody::new(chunks)
    }
}

/// `data` as a raw deflate stream that ends on a byte boundary without a final block
/// (a sync flush), so that more deflate data can follow it.
fn deflate_sync(data: &[u8]) -> Vec<u8> {
    // Output room doubles each round, so a few dozen rounds cover any input.
    const MAX_ROUNDS: usize = 48;
    let mut out = Vec::with_capacity(data.len() / 4 + 64);
    if data.is_empty() {
        return out;
    }
    let mut c = Compress::new(Compression::fast(), false);
    for _ in 0..MAX_ROUNDS {
        let rest = data.get(c.total_in() as usize..).unwrap_or_default();
        if c.compress_vec(rest, &mut out, FlushCompress::Sync).is_err() {
            break;
        }
        // The flush is complete once all input is in and output room is left over.
        if c.total_in() as usize == data.len() && out.len() < out.capacity() {
            return out;
        }
        out.reserve(out.capacity().max(1024));
    }
    // Not reached with in-memory buffers; stored blocks are valid deflate all the same.
    stored_blocks(data, false)
}

/// `data` in stored (uncompressed) deflate blocks; the last one is final when `last`.
fn stored_blocks(data: &[u8], last: bool) -> Vec<u8> {
    const MAX: usize = 65_535;
    let mut out = Vec::with_capacity(data.len() + 5 * (data.len() / MAX + 1));
    let mut chunks = data.chunks(MAX).peekable();
    if chunks.peek().is_none() {
        out.extend_from_slice(&[u8::from(last), 0, 0, 0xff, 0xff]);
        return out;
    }
    while let Some(chunk) = chunks.next() {
        let fin = last && chunks.peek().is_none();
        let len = chunk.len() as u16;
        out.push(u8::from(fin));
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&(!len).to_le_bytes());
        out.extend_from_slice(chunk);
    }
    out
}

/// `data` as the final stored blocks of a deflate stream.
fn stored_final_blocks(data: &[u8]) -> Vec<u8> {
    stored_blocks(data, true)
}

/// A response body of shared chunks with an exact length.
#[derive(Debug)]
pub struct ResponseBody {
    chunks: std::vec::IntoIter<Bytes>,
    remaining: u64,
}

impl ResponseBody {
    /// A body of these chunks, in order.
    pub fn new(chunks: Vec<Bytes>) -> ResponseBody {
        let remaining = chunks.iter().map(|c| c.len() as u64).sum();
        ResponseBody {
            chunks: chunks.into_iter(),
            remaining,
        }
    }

    /// A body of one chunk.
    pub fn full(bytes: impl Into<Bytes>) -> ResponseBody {
        ResponseBody::new(vec![bytes.into()])
    }

    /// An empty body.
    pub fn empty() -> ResponseBody {
        ResponseBody::new(Vec::new())
    }
}

impl Body for ResponseBody {
    type Data = Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        loop {
            match self.chunks.next() {
                None => return Poll::Ready(None),
                Some(c) if c.is_empty() => continue,
                Some(c) => {
                    self.remaining -= c.len() as u64;
                    return Poll::Ready(Some(Ok(Frame::data(c))));
                }
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.remaining == 0
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.remaining)
    }
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;

    fn inflate_raw(stream: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        flate2::read::DeflateDecoder::new(stream)
            .read_to_end(&mut out)
            .unwrap();
        out
    }

    #[test]
    fn sync_flushed_pieces_concatenate_into_one_deflate_stream() {
        let big: Vec<u8> = (0..600_000u32)
            .flat_map(|i| format!("aws_directconnect_x{{id=\"{i}\"}} 1\n").into_bytes())
            .collect();
        let small = b"tiny\n".to_vec();
        let mut stream = deflate_sync(&big);
        stream.extend(deflate_sync(&small));
        stream.extend(stored_final_blocks(b"tail"));
        let mut expected = big.clone();
        expected.extend_from_slice(&small);
        expected.extend_from_slice(b"tail");
        assert_eq!(inflate_raw(&stream), expected);
        assert!(deflate_sync(&big).len() < big.len() / 5);
    }

    #[test]
    fn stored_blocks_split_at_their_size_limit() {
        let data = vec![b'x'; 150_000];
        let mut stream = stored_blocks(&data, false);
        stream.extend(stored_final_blocks(&[]));
        assert_eq!(inflate_raw(&stream), data);
    }
}
