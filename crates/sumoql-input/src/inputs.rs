//! The stream of items from a list of paths: files, directories, glob patterns and
//! standard input.

use std::collections::{HashSet, VecDeque};
use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use chrono::FixedOffset;

use crate::detect::{open_bytes, open_file, open_stream, InputReader, OpenOptions};
use crate::error::ReadError;
use crate::origin::Origin;
use crate::record::{now_ms, InputFormat, Item, ReadOptions, SourceMetadata};
use crate::source_rules::find_rule;
use crate::timestamp::TimeContext;
use crate::walk::{expand_glob, is_glob_pattern, list_directory};

/// Counts of what an [`Inputs`] stream has yielded so far.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReadStats {
    pub records: u64,
    pub malformed: u64,
    /// Paths that failed to open or read, inputs of no recognised format, and glob
    /// patterns that match nothing.
    pub errors: u64,
    /// Records whose text held invalid UTF-8, replaced with U+FFFD.
    pub lossy_utf8_records: u64,
    /// Files of no recognised format passed over while reading a directory or pattern.
    pub skipped_files: u64,
}

/// A file that [`Inputs::list_files`] found behind the input paths, to read on its own
/// with [`Inputs::open_listed`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedFile {
    /// The path as the records' `_sourceName` gives it, or `-` for standard input.
    pub path: PathBuf,
    /// Whether the file was found by listing a directory or expanding a pattern, so that
    /// a file of no recognised format is passed over with a warning instead of an error.
    found: bool,
}

/// A path still to read, or an error found while listing a directory, kept in the order
/// the stream yields them.
enum Pending {
    /// A path, and whether it was found by listing a directory or expanding a pattern
    /// rather than named by the caller.
    Path {
        path: PathBuf,
        found: bool,
    },
    /// An input held in memory, and the name it is known by.
    Bytes {
        name: PathBuf,
        bytes: Vec<u8>,
    },
    Error(ReadError),
}

/// Streams every record of every input, in order.
///
/// Each path is a file, a directory (read recursively, entries sorted by name), a glob
/// pattern, or `-` for standard input. A path is a glob pattern when no file of that
/// name exists, and its matches are sorted by path. Records reach the caller in this
/// order: inputs in the order given; a
/// directory's entries by file name, a subdirectory's files at its place in that order;
/// each file's records in file order. A path that cannot be read yields one `Err` and the
/// stream goes on with the next path. Formats are recognised by content, never by file
/// extension, and gzip and zstd files are decompressed as they are read.
pub struct Inputs {
    queue: VecDeque<Pending>,
    current: Option<InputReader>,
    options: ReadOptions,
    visited_directories: HashSet<PathBuf>,
    stats: ReadStats,
}

impl Inputs {
    /// Prepares to read `paths` in order. Nothing is opened until the first item is requested.
    pub fn open(paths: &[PathBuf], options: ReadOptions) -> Inputs {
        Inputs {
            queue: paths
                .iter()
                .map(|path| Pending::Path {
                    path: path.clone(),
                    found: false,
                })
                .collect(),
            current: None,
            options,
            visited_directories: HashSet::new(),
            stats: ReadStats::default(),
        }
    }

    /// Prepares to read one input held in memory, as if it were a file named `name`:
    /// `name` is its `_sourceName` and the path in errors and `sources` rules, and its
    /// timestamps without a year take it from the current time.
    pub fn from_bytes(name: &str, bytes: Vec<u8>, options: ReadOptions) -> Inputs {
        let pending = Pending::Bytes {
            name: PathBuf::from(name),
            bytes,
        };
        Inputs::with_queue(VecDeque::from([pending]), options)
    }

    fn with_queue(queue: VecDeque<Pending>, options: ReadOptions) -> Inputs {
        Inputs {
            queue,
            current: None,
            options,
            visited_directories: HashSet::new(),
            stats: ReadStats::default(),
        }
    }

    /// Lists the files that [`Inputs::open`] reads for `paths`, in the order it reads
    /// them, without opening any. A path that cannot be listed (missing, unreadable, a
    /// pattern that matches nothing, a directory cycle) gives an `Err` at its place in
    /// that order, as the stream would yield it.
    pub fn list_files(paths: &[PathBuf]) -> Vec<Result<ListedFile, ReadError>> {
        let mut lister = Inputs::open(paths, ReadOptions::default());
        let mut listed = Vec::new();
        while let Some(pending) = lister.queue.pop_front() {
            match pending {
                Pending::Error(error) => listed.push(Err(error)),
                Pending::Bytes { .. } => {
                    unreachable!("Inputs::open queues paths, never bytes")
                }
                Pending::Path { path, found } => {
                    if let Err(error) = lister.list_path(path, found, &mut listed) {
                        listed.push(Err(error));
                    }
                }
            }
        }
        listed
    }

    /// Prepares to read one file from [`Inputs::list_files`] with the settings that
    /// [`Inputs::open`] gives it, so its items are the ones that stream yields for it.
    pub fn open_listed(file: &ListedFile, options: ReadOptions) -> Inputs {
        let pending = Pending::Path {
            path: file.path.clone(),
            found: file.found,
        };
        Inputs::with_queue(VecDeque::from([pending]), options)
    }

    /// Lists one path for [`Inputs::list_files`]: a directory or pattern queues its
    /// entries, anything else is a file.
    fn list_path(
        &mut self,
        path: PathBuf,
        found: bool,
        listed: &mut Vec<Result<ListedFile, ReadError>>,
    ) -> Result<(), ReadError> {
        if path.as_os_str() == "-" {
            listed.push(Ok(ListedFile { path, found }));
            return Ok(());
        }
        match fs::metadata(&path) {
            Ok(metadata) if metadata.is_dir() => self.queue_directory(&path),
            Ok(_) => {
                listed.push(Ok(ListedFile { path, found }));
                Ok(())
            }
            Err(error)
                if error.kind() == std::io::ErrorKind::NotFound && is_glob_pattern(&path) =>
            {
                self.queue_glob(&path)
            }
            Err(source) => Err(ReadError::Io { path, source }),
        }
    }

    /// Returns the counts so far.
    pub fn stats(&self) -> &ReadStats {
        &self.stats
    }

    fn open_path(&mut self, path: PathBuf, found: bool) -> Result<Option<InputReader>, ReadError> {
        if path.as_os_str() == "-" {
            let (origin, options) = self.origin(path, None, None);
            return open_stream(Box::new(std::io::stdin()), origin, options).map(Some);
        }

        let metadata = match fs::metadata(&path) {
            Ok(metadata) => metadata,
            Err(error)
                if error.kind() == std::io::ErrorKind::NotFound && is_glob_pattern(&path) =>
            {
                self.queue_glob(&path)?;
                return Ok(None);
            }
            Err(source) => return Err(ReadError::Io { path, source }),
        };
        if metadata.is_dir() {
            self.queue_directory(&path)?;
            return Ok(None);
        }

        let file = File::open(&path).map_err(|source| ReadError::Io {
            path: path.clone(),
            source,
        })?;
        let file_time_ms = metadata
            .modified()
            .ok()
            .and_then(|time| time.duration_since(std::time::UNIX_EPOCH).ok())
            .and_then(|elapsed| i64::try_from(elapsed.as_millis()).ok());
        let source_name = Arc::from(path.display().to_string());
        let (origin, options) = self.origin(path, Some(source_name), file_time_ms);
        let opened = if metadata.is_file() {
            open_file(file, origin, options)
        } else {
            open_stream(Box::new(file), origin, options)
        };
        match opened {
            Err(ReadError::UnknownFormat { path, detail }) if found => {
                Err(ReadError::SkippedFile { path, detail })
            }
            other => other.map(Some),
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

        let (entries, errors) = list_directory(directory).map_err(io_error)?;
        let errors = errors
            .into_iter()
            .map(|source| Pending::Error(io_error(source)));
        let entries = entries
            .into_iter()
            .map(|path| Pending::Path { path, found: true });
        self.queue_front(errors.chain(entries).collect());
        Ok(())
    }

    fn queue_glob(&mut self, pattern: &Path) -> Result<(), ReadError> {
        let matches = expand_glob(pattern).map_err(|detail| ReadError::UnknownFormat {
            path: pattern.to_path_buf(),
            detail,
        })?;
        if matches.is_empty() {
            return Err(ReadError::NoMatch {
                pattern: pattern.to_path_buf(),
            });
        }
        let matches = matches
            .into_iter()
            .map(|path| Pending::Path { path, found: true });
        self.queue_front(matches.collect());
        Ok(())
    }

    fn queue_front(&mut self, mut listed: Vec<Pending>) {
        while let Some(pending) = listed.pop() {
            self.queue.push_front(pending);
        }
    }

    /// Works out the settings of one input: a command-line option wins over the first
    /// sources rule that matches the path, which wins over the values in the records.
    fn origin(
        &self,
        path: PathBuf,
        source_name: Option<Arc<str>>,
        file_time_ms: Option<i64>,
    ) -> (Origin, OpenOptions) {
        let options = &self.options;
        let rule = if path.as_os_str() == "-" {
            None
        } else {
            find_rule(&options.sources, &path).map(|rule| &rule.settings)
        };
        let pick = |command_line: &Option<String>, configured: Option<&Option<String>>| {
            command_line
                .clone()
                .or_else(|| configured.cloned().flatten())
                .map(Arc::from)
        };
        let metadata = SourceMetadata {
            category: pick(&options.category, rule.map(|rule| &rule.category)),
            host: pick(&options.host, rule.map(|rule| &rule.host)),
            name: pick(&options.source_name, rule.map(|rule| &rule.name)),
        };
        let zone = rule
            .and_then(|rule| rule.time_zone)
            .unwrap_or_else(|| FixedOffset::east_opt(0).expect("UTC is a valid offset"));

        let origin = Origin {
            source_name: source_name.unwrap_or_else(|| Arc::from(path.display().to_string())),
            path,
            // Replaced once the content has been recognised.
            format: InputFormat::Text,
            raw_mode: options.raw,
            metadata: Arc::new(metadata),
            time: TimeContext {
                zone,
                reference_ms: file_time_ms.unwrap_or_else(now_ms),
            },
            file_time_ms,
            defer_decoding: options.defer_decoding,
            max_record_bytes: options
                .max_record_bytes
                .unwrap_or(crate::record::DEFAULT_MAX_RECORD_BYTES),
            decoding_copy: OnceLock::new(),
        };
        let open_options = OpenOptions {
            format: options.format.or_else(|| rule.and_then(|rule| rule.format)),
            multiline: options
                .multiline
                .clone()
                .or_else(|| rule.and_then(|rule| rule.multiline.clone())),
            bytes_read: options.bytes_read.clone(),
        };
        (origin, open_options)
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
            Err(error) if error.is_skipped_file() => self.stats.skipped_files += 1,
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
                Pending::Bytes { name, bytes } => {
                    let (origin, options) = self.origin(name, None, None);
                    match open_bytes(bytes, origin, options) {
                        Ok(reader) => {
                            self.current = Some(reader);
                            continue;
                        }
                        Err(error) => Err(error),
                    }
                }
                Pending::Path { path, found } => match self.open_path(path, found) {
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
