// Package pipeline runs a graph of deterministic jobs against a
// content-addressed cache of their outputs, so that a result is computed
// once and reused by every later run, process or machine that needs it.
// It knows nothing about what the jobs compute: it deals in keys, files,
// locks and a dependency graph. The design follows the Go build cache
// (cmd/go/internal/cache).
//
// # Keys
//
// An ActionID names a computation; an OutputID names bytes. A stage builds
// the ActionID of a job with a Hash, writing one labelled line per thing
// the result depends on, always in the same order:
//
//	stage train
//	param recipe "loewe"
//	param depth 4
//	param lr 0.001
//	input prep:train.idx 3f1c...e0
//
// The ActionID is the SHA-256 of a format-version salt followed by these
// lines. Floats are written exactly (the shortest decimal that parses back
// to the same float64), strings quoted, inputs by the content hash of the
// file read. No map iteration, absolute paths or timestamps go in a key.
// The Runner appends the "input" lines itself, one per output of each
// dependency, so a job cannot forget one; because inputs are keyed by
// content, a dependency recomputed to identical bytes leaves its
// dependents cached.
//
// The lines are stored in the index entry. Each job's last ActionID is
// also recorded under its job ID, so when a job's key changes, Diff of the
// old and new lines says which parameter or input changed (Runner.Status).
//
// # Layout on disk
//
// The cache directory (flag, $FFCHAR_CACHE, or .ffchar-cache in the
// working directory; see DefaultDir) holds:
//
//	README
//	a/ab/abcdef...-a      index entry for ActionID abcdef...
//	o/ab/abcdef...-d      output file whose SHA-256 is abcdef...
//	l/ab/abcdef....lock   lock file for ActionID abcdef...
//	r/ab/abcdef...-r      last ActionID of the job whose name hashes to abcdef...
//	tmp/<action>-<rand>/  directory a job writes its outputs into
//
// An index entry is a short text file: the ActionID, the time, one line
// "<OutputID> <size> <name>" per output (a job has several named outputs,
// such as metrics.parquet, weights.arrow and run.json), the key lines,
// and a final line with the SHA-256 of everything above it. Outputs are
// shared between entries: two actions producing the same bytes store them
// once. Files are created with mode 0666 and directories 0777, less the
// umask, so that users of one group can share a cache (umask 002).
//
// # Reads
//
// Get never returns a wrong hit. A missing index entry, one that is empty,
// truncated, garbled, fails its checksum, is for another action or whose
// key lines do not hash to its ActionID, and an output file that is
// missing, has the wrong size or the wrong SHA-256 all make a *MissError
// whose Reason says which; the runner then recomputes the job and the new
// entry replaces the bad one. Every output is hashed on every Get: reading
// a file is cheap next to the training run that produced it.
//
// # Writes and crash safety
//
// Every file is written to a temporary file (named .tmp-*) in the cache,
// synced, renamed to its final name, and its directory synced. A job's
// outputs are stored before its index entry, so an entry never refers to
// an incomplete output. A write error (a full disk, a read-only
// directory) removes the temporary file and returns an error naming the
// path; outputs stored before the failure are complete and merely
// unreferenced.
//
// A process killed at any point, even with SIGKILL, leaves at most
// temporary files, an abandoned job directory and a lock file whose lock
// the kernel released when the process died. None of these is ever read
// as a result. A rerun finds every entry that was completed before the
// kill and recomputes the rest; GC removes the leftovers.
//
// # Locking
//
// There is one lock per ActionID, not one for the cache, so that any
// number of processes (several runs on one machine, or array tasks of a
// batch scheduler on a shared file system) can fill one cache at once.
// Before computing a job the runner takes its lock, an exclusive flock(2)
// on l/xx/<action>.lock, then checks the cache again: if another process
// computed the job while this one waited, it uses that result instead of
// repeating the work. Within one process a table of held locks excludes
// goroutines as well. The kernel releases a flock when its holder exits,
// however it exits. GC deletes idle lock files only while holding them,
// and a locker that finds its lock file replaced after acquiring it starts
// again on the new one.
//
// On NFS, Linux implements flock with POSIX byte-range locks managed by
// the server (NLM for NFSv3, the protocol's own locks for NFSv4), so the
// locks exclude processes on different clients. What the cache relies on:
// the file system must not be mounted with local_lock=flock, local_lock=all
// or nolock (flock would then be local to each machine; the outcome is
// duplicated work, never a wrong result, since outputs are content-addressed
// and entries replaced atomically); rename within a directory must be
// atomic; and a file opened after a lock is taken must show the writes of
// the previous holder (NFS close-to-open consistency). When an NFS client
// dies the server releases its locks only when its lease expires (about 90
// seconds on NFSv4), so waiters may wait that long. Lustre needs the
// "flock" mount option.
//
// # Verification and garbage collection
//
// In verify mode (Runner.Verify, or Cache.VerifyDir) a cached job is
// recomputed and its outputs compared with the cache; a difference is a
// *NondeterminismError naming the action, the output and both digests:
// the key misses something the job depends on, or the job is not
// deterministic.
//
// GC removes the entries whose ActionIDs are not in a keep set (the keys
// of the experiments still wanted), the outputs no remaining entry refers
// to, and the leftovers of killed processes. It deletes only names of the
// cache's own patterns and never follows a symbolic link; a tmp/ linked
// to a folder outside the cache is left alone.
//
// Only regular files are read: every cache file is opened without
// blocking and its mode checked, so a FIFO in the cache is a miss, not a
// hang, and a directory or FIFO in place of a cache file is replaced by
// the next write.
//
// Every file below the cache folder is opened, created, renamed and
// removed through an os.Root on it, so nothing planted inside can lead a
// write or a delete outside; a symbolic link anywhere on the way (a lock
// file, a shard folder such as o/3d, a top-level folder other than tmp/)
// is refused with one line naming it, never followed. The cache still
// trusts everyone who can write to it: a consistent forged entry is a
// hit, and only Verify catches it (see the README's threat model, and
// Runner.Rehash for the window between a hit's check and a job's read).
package pipeline
