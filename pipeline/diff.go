package pipeline

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// A ChangeKind says how a key line differs between two keys.
type ChangeKind int

const (
	Changed   ChangeKind = iota // same kind and label, different value
	Added                       // only in the new key
	Removed                     // only in the old key
	Reordered                   // same lines in a different order
)

func (k ChangeKind) String() string {
	switch k {
	case Changed:
		return "changed"
	case Added:
		return "added"
	case Removed:
		return "removed"
	case Reordered:
		return "reordered"
	}
	return "ChangeKind(" + strconv.Itoa(int(k)) + ")"
}

// A Change is one difference between an old and a new list of key lines.
type Change struct {
	Kind ChangeKind
	// Label is the kind and label of the line, such as "param depth" or
	// "input prep:train.idx". Empty for Reordered.
	Label string
	// Old and New are the values (the rest of the line after the label);
	// Old is empty for Added, New is empty for Removed.
	Old, New string
}

func (c Change) String() string {
	switch c.Kind {
	case Changed:
		return fmt.Sprintf("%s: %s -> %s", c.Label, c.Old, c.New)
	case Added:
		return fmt.Sprintf("%s: added %s", c.Label, c.New)
	case Removed:
		return fmt.Sprintf("%s: removed (was %s)", c.Label, c.Old)
	case Reordered:
		return "same lines in a different order"
	}
	return fmt.Sprintf("%v %s %s %s", c.Kind, c.Label, c.Old, c.New)
}

// Diff reports how the key lines new differ from old: lines whose kind and
// label (the first two fields) appear in both with different values, lines
// added, lines removed. Changes to lines present in new come first, in the
// order of new, followed by removals in the order of old. If no line
// differs but the order does, Diff returns one Reordered change. Equal
// lists give nil.
//
// A label that occurs several times (possible only through Hash.Line) is
// matched occurrence by occurrence.
func Diff(old, new []string) []Change {
	type slot struct {
		value string
		used  bool
	}
	oldBy := make(map[string][]*slot)
	var oldOrder []string
	var oldSlots []*slot
	for _, l := range old {
		label, value := splitLine(l)
		s := &slot{value: value}
		oldBy[label] = append(oldBy[label], s)
		oldOrder = append(oldOrder, label)
		oldSlots = append(oldSlots, s)
	}
	var changes []Change
	for _, l := range new {
		label, value := splitLine(l)
		q := oldBy[label]
		if len(q) == 0 {
			changes = append(changes, Change{Kind: Added, Label: label, New: value})
			continue
		}
		s := q[0]
		oldBy[label] = q[1:]
		s.used = true
		if s.value != value {
			changes = append(changes, Change{Kind: Changed, Label: label, Old: s.value, New: value})
		}
	}
	for i, s := range oldSlots {
		if !s.used {
			changes = append(changes, Change{Kind: Removed, Label: oldOrder[i], Old: s.value})
		}
	}
	if len(changes) == 0 && !slices.Equal(old, new) {
		changes = []Change{{Kind: Reordered}}
	}
	return changes
}

// splitLine splits a key line into its identity (the first two fields)
// and its value (the rest).
func splitLine(l string) (label, value string) {
	kind, rest, ok := strings.Cut(l, " ")
	if !ok {
		return l, ""
	}
	name, value, _ := strings.Cut(rest, " ")
	return kind + " " + name, value
}
