package artifacts

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
)

// Arrow's IPC reader trusts the counts and offsets in a file's flatbuffer
// metadata: a corrupt count of schema fields or metadata pairs makes it
// allocate that many entries up front, and a cycle of child fields makes it
// recurse forever. Both kill the process (out of memory, stack overflow)
// instead of panicking, so no recover can turn them into an error.
// verifyIPC therefore checks, before arrow sees the file, every flatbuffer
// table, vector and string the reader will follow, and the properties of
// the files this package writes that keep the reader off its riskier
// paths: no dictionaries, no compression, shallow schemas.

// Limits of the files this package writes, with room to spare.
const (
	maxSchemaFields = 64 // fields at all depths
	maxSchemaDepth  = 4
)

// ipcMagic starts and ends an Arrow IPC file.
var ipcMagic = []byte("ARROW1")

// fb is a flatbuffer being checked. Positions are offsets into b.
type fb struct{ b []byte }

func (f fb) u16(pos int) int { return int(binary.LittleEndian.Uint16(f.b[pos:])) }
func (f fb) u32(pos int) int { return int(binary.LittleEndian.Uint32(f.b[pos:])) }

// in reports whether [pos, pos+n) lies within the buffer.
func (f fb) in(pos, n int) bool { return pos >= 0 && n >= 0 && n <= len(f.b) && pos <= len(f.b)-n }

// fbTable is a checked table: its vtable and inline part lie within the
// buffer.
type fbTable struct {
	f          fb
	pos        int
	vt, vtSize int
	size       int
}

var errFlatbuffer = errors.New("corrupt metadata")

func (f fb) table(pos int) (fbTable, error) {
	if !f.in(pos, 4) {
		return fbTable{}, errFlatbuffer
	}
	vt := pos - int(int32(f.u32(pos)))
	if !f.in(vt, 4) {
		return fbTable{}, errFlatbuffer
	}
	t := fbTable{f: f, pos: pos, vt: vt, vtSize: f.u16(vt), size: f.u16(vt + 2)}
	if t.vtSize < 4 || t.vtSize%2 != 0 || !f.in(vt, t.vtSize) || t.size < 4 || !f.in(pos, t.size) {
		return fbTable{}, errFlatbuffer
	}
	return t, nil
}

// field returns the position of field i, which holds size bytes, or -1
// when the field is absent.
func (t fbTable) field(i, size int) (int, error) {
	slot := 4 + 2*i
	if slot+2 > t.vtSize {
		return -1, nil
	}
	off := t.f.u16(t.vt + slot)
	if off == 0 {
		return -1, nil
	}
	if off+size > t.size {
		return 0, errFlatbuffer
	}
	return t.pos + off, nil
}

// ref follows the offset in field i; -1 when absent.
func (t fbTable) ref(i int) (int, error) {
	p, err := t.field(i, 4)
	if err != nil || p < 0 {
		return p, err
	}
	target := p + t.f.u32(p)
	if !t.f.in(target, 4) {
		return 0, errFlatbuffer
	}
	return target, nil
}

// vector checks the vector in field i, of elements of elem bytes, and
// returns the position of its first element and its length; n = 0 when
// absent.
func (t fbTable) vector(i, elem int) (start, n int, err error) {
	p, err := t.ref(i)
	if err != nil || p < 0 {
		return 0, 0, err
	}
	n = t.f.u32(p)
	if uint64(n)*uint64(elem) > uint64(len(t.f.b)-p-4) {
		return 0, 0, errFlatbuffer
	}
	return p + 4, n, nil
}

// subtable checks the table in field i; ok is false when absent.
func (t fbTable) subtable(i int) (fbTable, bool, error) {
	p, err := t.ref(i)
	if err != nil || p < 0 {
		return fbTable{}, false, err
	}
	sub, err := t.f.table(p)
	return sub, err == nil, err
}

// tables checks the vector of tables in field i and calls fn on each.
func (t fbTable) tables(i int, fn func(fbTable) error) (int, error) {
	start, n, err := t.vector(i, 4)
	if err != nil {
		return 0, err
	}
	for j := range n {
		p := start + 4*j
		sub, err := t.f.table(p + t.f.u32(p))
		if err != nil {
			return 0, err
		}
		if err := fn(sub); err != nil {
			return 0, err
		}
	}
	return n, nil
}

func (t fbTable) absent(i int) error {
	p, err := t.field(i, 0)
	if err == nil && p >= 0 {
		err = errFlatbuffer
	}
	return err
}

// Field numbers in Arrow's Schema.fbs, File.fbs and Message.fbs.
const (
	footerSchema, footerDictionaries, footerRecordBatches, footerMetadata = 1, 2, 3, 4
	schemaFields, schemaKeyValues, schemaFeatures                         = 1, 2, 3
	fieldName, fieldType, fieldDictionary, fieldChildren, fieldMetadata   = 0, 3, 4, 5, 6
	keyValueKey, keyValueValue                                            = 0, 1
	messageHeaderType, messageHeader, messageMetadata                     = 1, 2, 4
	batchNodes, batchBuffers, batchCompression, batchVariadic             = 1, 2, 3, 4

	headerRecordBatch = 3 // MessageHeader union tag
	blockSize         = 24
	fieldNodeSize     = 16
	bufferSize        = 16
)

func checkKeyValues(t fbTable, i int) error {
	_, err := t.tables(i, func(kv fbTable) error {
		if _, _, err := kv.vector(keyValueKey, 1); err != nil {
			return err
		}
		_, _, err := kv.vector(keyValueValue, 1)
		return err
	})
	return err
}

type schemaCheck struct{ fields int }

func (c *schemaCheck) field(t fbTable, depth int) error {
	c.fields++
	if c.fields > maxSchemaFields || depth > maxSchemaDepth {
		return errors.New("schema too large or too deep")
	}
	if _, _, err := t.vector(fieldName, 1); err != nil {
		return err
	}
	if _, _, err := t.subtable(fieldType); err != nil {
		return err
	}
	if err := t.absent(fieldDictionary); err != nil {
		return errors.New("dictionary-encoded field")
	}
	if err := checkKeyValues(t, fieldMetadata); err != nil {
		return err
	}
	_, err := t.tables(fieldChildren, func(child fbTable) error { return c.field(child, depth+1) })
	return err
}

// verifyIPC checks the structure of an Arrow IPC file held in data.
func verifyIPC(data []byte) error {
	n := len(data)
	const tail = 4 + 6 // footer length, magic
	if n < 8+tail || !bytes.Equal(data[:6], ipcMagic) || !bytes.Equal(data[n-6:], ipcMagic) {
		return errors.New("not an Arrow IPC file (magic bytes missing)")
	}
	size := int(binary.LittleEndian.Uint32(data[n-tail:]))
	if size < 4 || size > n-8-tail {
		return errors.New("corrupt footer length")
	}
	footerStart := n - tail - size
	f := fb{data[footerStart : n-tail]}
	footer, err := f.table(f.u32(0))
	if err != nil {
		return fmt.Errorf("footer: %w", err)
	}
	schema, ok, err := footer.subtable(footerSchema)
	if err == nil && !ok {
		err = errors.New("no schema")
	}
	if err == nil {
		c := &schemaCheck{}
		_, err = schema.tables(schemaFields, func(t fbTable) error { return c.field(t, 1) })
	}
	if err == nil {
		err = checkKeyValues(schema, schemaKeyValues)
	}
	if err == nil {
		_, _, err = schema.vector(schemaFeatures, 8)
	}
	if err == nil {
		err = checkKeyValues(footer, footerMetadata)
	}
	if err != nil {
		return fmt.Errorf("schema: %w", err)
	}
	if _, nd, err := footer.vector(footerDictionaries, blockSize); err != nil || nd != 0 {
		return errors.New("footer: corrupt or unexpected dictionary blocks")
	}
	start, nb, err := footer.vector(footerRecordBatches, blockSize)
	if err != nil {
		return fmt.Errorf("footer: %w", err)
	}
	for i := range nb {
		p := start + i*blockSize
		off := int64(binary.LittleEndian.Uint64(f.b[p:]))
		meta := int64(int32(f.u32(p + 8)))
		if off < 8 || meta < 12 || off > int64(footerStart)-meta {
			return fmt.Errorf("record batch %d: corrupt block", i)
		}
		if err := verifyBatchMessage(data[off : off+meta]); err != nil {
			return fmt.Errorf("record batch %d: %w", i, err)
		}
	}
	return nil
}

// verifyBatchMessage checks the metadata of one record batch: a
// continuation marker, a length and a Message flatbuffer.
func verifyBatchMessage(b []byte) error {
	if binary.LittleEndian.Uint32(b) != 0xffffffff {
		return errFlatbuffer
	}
	length := int(binary.LittleEndian.Uint32(b[4:]))
	if length < 4 || length > len(b)-8 {
		return errFlatbuffer
	}
	f := fb{b[8 : 8+length]}
	msg, err := f.table(f.u32(0))
	if err != nil {
		return err
	}
	p, err := msg.field(messageHeaderType, 1)
	if err != nil || p < 0 || f.b[p] != headerRecordBatch {
		return errors.New("not a record batch message")
	}
	if err := checkKeyValues(msg, messageMetadata); err != nil {
		return err
	}
	batch, ok, err := msg.subtable(messageHeader)
	if err == nil && !ok {
		err = errFlatbuffer
	}
	if err != nil {
		return err
	}
	if _, _, err := batch.vector(batchNodes, fieldNodeSize); err != nil {
		return err
	}
	if _, _, err := batch.vector(batchBuffers, bufferSize); err != nil {
		return err
	}
	if _, _, err := batch.vector(batchVariadic, 8); err != nil {
		return err
	}
	if err := batch.absent(batchCompression); err != nil {
		return errors.New("compressed record batch")
	}
	return nil
}
