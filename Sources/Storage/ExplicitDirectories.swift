/// A marker for backends whose directories are real entries, as on a POSIX file system.
///
/// On such a backend a write or `makeDirectory` under a missing parent fails with `notFound`, a path through a
/// file fails with `notADirectory`, and an empty directory stays until removed. Backends without it (object
/// stores) treat directories as prefixes: writing `a/b/c` makes `a` and `a/b` appear, and a directory that was
/// never made explicitly disappears with its last entry.
public protocol ExplicitDirectories: Storage {}
