//! The stream of items from a list of paths: files, directories and standard input.

use std::collections::{HashSet, VecDeque};
use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::detect::{open_file, open_stream, InputReader};
use crate::error::ReadError;
use crate::origin::Origin;
use crate::record::{InputFormat, Item, ReadOptions};

/// Counts of what an [`Inputs`] stream has yielded so far.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReadStats {
    pub records: u64,
    pub malformed: u64,
    /// Paths that failed to open or read, and inputs of no recognised format.
    pub errors: u64,
    /// Records whose text held invalid UTF-8, replaced with U+FFFD.
    pub lossy_utf8_records: u64,
}

/// A path still to read, or an error found while listing a directory, kept in the order
/// the stream yields them.
enum Pending {
    Path(PathBuf),
    Error(ReadError),
}

/// Streams every record of every input, in order.
///
/// Each path is a file, a directory (read recursively, entries sorted by name) or `-` for
/// standard input. A path that cannot be read yields one `Err` and the stream goes on
/// with the next path. Formats are recognised by content, never by file extension.
pub struct Inputs {
    queue: VecDeque<Pending>,
    current: Option<InputReader>,
    options: ReadOptions,
    category: Option<Arc<str>>,
    visited_directories: HashSet<PathBuf>,
    stats: ReadStats,
}

impl Inputs {
    /// Prepares to read `paths` in order. Nothing is opened until the first item is requested.
    pub fn open(paths: &[PathBuf], options: ReadOptions) -> Inputs {
        Inputs {
            queue: paths.iter().cloned().map(Pending::Path).collect(),
            current: None,
            category: options.category.as_deref().map(Arc::from),
            options,
            visited_directories: HashSet::new(),
            stats: ReadStats::default(),
        }
    }

    /// Returns the counts so far.
    pub fn stats(&self) -> &ReadStats {
        &self.stats
    }

    fn open_path(&mut self, path: PathBuf) -> Result<Option<InputReader>, ReadError> {
        if path.as_os_str() == "-" {
            let origin = self.origin(path, Arc::from("-"));
            return open_stream(Box::new(std::io::stdin()), origin).map(Some);
        }

        let metadata = fs::metadata(&path).map_err(|source| ReadError::Io {
            path: path.clone(),
            source,
        })?;
        if metadata.is_dir() {
            self.queue_directory(&path)?;
            return Ok(None);
        }

        let file = File::open(&path).map_err(|source| ReadError::Io {
            path: path.clone(),
            source,
        })?;
        let source_name = Arc::from(path.display().to_string());
        let origin = self.origin(path, source_name);
        if metadata.is_file() {
            open_file(file, origin).map(Some)
        } else {
            open_stream(Box::new(file), origin).map(Some)
        }
    }

    /// Puts the entries of `directory`, sorted by name, at the front of the queue, so that a
    /// directory's files are read before the paths that follow it.
    fn queue_directory(&mut self, directory: &Path) -> Result<(), ReadError> {
        let io_error = |source| ReadError::Io {
            path: directory.to_path_buf(),
            source,
        };

        let canonical = fs::canonicalize(directory).map_err(io_error)?;
        if !self.visited_directories.insert(canonical) {
            return Err(ReadError::DirectoryCycle {
                path: directory.to_path_buf(),
            });
        }

        let mut entries = Vec::new();
        let mut errors = Vec::new();
        for entry in fs::read_dir(directory).map_err(io_error)? {
            match entry {
                Ok(entry) => entries.push(entry.path()),
                Err(source) => errors.push(Pending::Error(io_error(source))),
            }
        }
        entries.sort_by(|left, right| left.file_name().cmp(&right.file_name()));

        let listed = errors
            .into_iter()
            .chain(entries.into_iter().map(Pending::Path));
        let mut listed: Vec<Pending> = listed.collect();
        while let Some(pending) = listed.pop() {
            self.queue.push_front(pending);
        }
        Ok(())
    }

    fn origin(&self, path: PathBuf, source_name: Arc<str>) -> Origin {
        Origin {
            path,
            source_name,
            // Replaced once the content has been recognised.
            format: InputFormat::WindowsXml,
            raw_mode: self.options.raw,
            category: self.category.clone(),
        }
    }

    fn count(&mut self, result: &Result<Item, ReadError>) {
        match result {
            Ok(Item::Record(record)) => {
                self.stats.records += 1;
                if record.lossy_utf8 {
                    self.stats.lossy_utf8_records += 1;
                }
            }
            Ok(Item::Malformed(_)) => self.stats.malformed += 1,
            Err(_) => self.stats.errors += 1,
        }
    }
}

impl Iterator for Inputs {
    type Item = Result<Item, ReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(reader) = self.current.as_mut() {
                match reader.next() {
                    Some(result) => {
                        self.count(&result);
                        return Some(result);
                    }
                    None => self.current = None,
                }
            }

            let result = match self.queue.pop_front()? {
                Pending::Error(error) => Err(error),
                Pending::Path(path) => match self.open_path(path) {
                    Ok(reader) => {
                        self.current = reader;
                        continue;
                    }
                    Err(error) => Err(error),
                },
            };
            self.count(&result);
            return Some(result);
        }
    }
}
