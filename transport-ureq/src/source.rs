//! Where a file being sent is read from: an open file (read at any offset, so the MD5 pass and
//! the upload each read it, and nothing more than a chunk is held), or a stream (read once, in
//! order: its MD5 must be given).

use bytes::Bytes;
use std::io::{self, Read, Seek};

/// See the module docs.
pub(crate) enum Source {
    File(std::fs::File),
    Stream {
        reader: Box<dyn Read + Send>,
        position: u64,
    },
}

impl Source {
    /// `len` bytes from `offset`; fewer at the end of the file.
    pub(crate) fn read_at(&mut self, offset: u64, len: usize) -> io::Result<Bytes> {
        let mut buf = vec![0u8; len];
        let read = match self {
            Source::File(file) => {
                file.seek(io::SeekFrom::Start(offset))?;
                fill(file, &mut buf)?
            }
            Source::Stream { reader, position } => {
                if offset != *position {
                    return Err(io::Error::other(
                        "a stream is read once: give the file's MD5 (FileInfo::md5) to send it",
                    ));
                }
                let read = fill(reader, &mut buf)?;
                *position += read as u64;
                read
            }
        };
        buf.truncate(read);
        Ok(Bytes::from(buf))
    }
}

/// Reads until `buf` is full or the end; returns how many bytes were read.
fn fill<R: Read + ?Sized>(reader: &mut R, buf: &mut [u8]) -> io::Result<usize> {
    let mut read = 0;
    while read < buf.len() {
        let Some(rest) = buf.get_mut(read..) else {
            break;
        };
        match reader.read(rest) {
            Ok(0) => break,
            Ok(n) => read += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(read)
}
