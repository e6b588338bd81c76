// Package tomlkeys decodes TOML tables into tagged structs and derives
// from the same tags everything else that names a key: the known keys, the
// documentation and the lines of a cache key. A key is declared once, as a
// struct field's tags, the way encoding/json reads `json:"name"`.
//
// Tags of a field:
//
//	toml:"name"          the key; fields without it are not keys
//	doc:"..."            what the key is, for generated documentation
//	file:"required"      the key must be present
//	file:"custom"        a known key that the caller decodes itself
//	file:"-"             not a key of the file (still a key line)
//	file:"custom,word"   several of these; words of the caller's own too
//	key:"-"              not a key line (Lines leaves it out)
//	keydefault:"v"       no key line at value v (Lines; see ff.FieldLines)
//	min:"1" max:"10000"  integer bounds, each with its own message
//	range:"[0,20]"       bounds of a number, "(" and ")" for open ends
//	why:"..."            appended to the range message in parentheses
//	positive:""          a finite number > 0
//	oneof:"a,b"          the strings allowed
//	want:"..."           what an array must be, for type errors
//	nonempty:""          an array must have an element, a string a character
//	ascending:"epoch"    array elements must increase ("the epoch before it")
//
// Numbers are int, uint64 (at least 0), float64 (a TOML integer is taken
// too), arrays of them, strings, booleans, and structs, which are tables
// of their own. Keys are matched exactly: the table is decoded into a map
// first, so a key differing in case is unknown, not a match.
package tomlkeys
