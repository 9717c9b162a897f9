"""A small ISO 8583:1987 codec for ASCII links, Python standard library only.

The wire format of Harbor Bank's 1987 host link: a 4-digit ASCII length (of what follows), the MTI
as 4 ASCII digits, bitmaps as 16 hex characters (a secondary one when any element above 64 is
present), numerics and lengths in ASCII, binary elements as hex text except ICC data (DE55), which
is raw bytes behind a 3-digit byte count. Elements are strings (DE55: bytes).

This is pyterm's own codec, written from the ISO 8583:1987 element table, so that it checks
paymatrix's codec rather than repeating it.
"""

# element: (content type, length, digits of the length prefix: 0 fixed, 2 LL, 3 LLL)
# Content types: n digits, a/an/ans text, z track 2/3, b binary (hex text here), x+n sign and digits.
ELEMENTS = {
    2: ('n', 19, 2), 3: ('n', 6, 0), 4: ('n', 12, 0), 5: ('n', 12, 0), 6: ('n', 12, 0), 7: ('n', 10, 0),
    8: ('n', 8, 0), 9: ('n', 8, 0), 10: ('n', 8, 0), 11: ('n', 6, 0), 12: ('n', 6, 0), 13: ('n', 4, 0),
    14: ('n', 4, 0), 15: ('n', 4, 0), 16: ('n', 4, 0), 17: ('n', 4, 0), 18: ('n', 4, 0), 19: ('n', 3, 0),
    20: ('n', 3, 0), 21: ('n', 3, 0), 22: ('n', 3, 0), 23: ('n', 3, 0), 24: ('n', 3, 0), 25: ('n', 2, 0),
    26: ('n', 2, 0), 27: ('n', 1, 0), 28: ('x+n', 9, 0), 29: ('x+n', 9, 0), 30: ('x+n', 9, 0),
    31: ('x+n', 9, 0), 32: ('n', 11, 2), 33: ('n', 11, 2), 34: ('ans', 28, 2), 35: ('z', 37, 2),
    36: ('z', 104, 3), 37: ('an', 12, 0), 38: ('an', 6, 0), 39: ('an', 2, 0), 40: ('an', 3, 0),
    41: ('ans', 8, 0), 42: ('ans', 15, 0), 43: ('ans', 40, 0), 44: ('ans', 25, 2), 45: ('ans', 76, 2),
    46: ('ans', 999, 3), 47: ('ans', 999, 3), 48: ('ans', 999, 3), 49: ('an', 3, 0), 50: ('an', 3, 0),
    51: ('an', 3, 0), 52: ('b', 8, 0), 53: ('n', 16, 0), 54: ('ans', 120, 3), 55: ('raw', 255, 3),
    56: ('ans', 999, 3), 57: ('ans', 999, 3), 58: ('ans', 999, 3), 59: ('ans', 999, 3), 60: ('ans', 999, 3),
    61: ('ans', 999, 3), 62: ('ans', 999, 3), 63: ('ans', 999, 3), 64: ('b', 8, 0), 65: ('b', 1, 0),
    66: ('n', 1, 0), 67: ('n', 2, 0), 68: ('n', 3, 0), 69: ('n', 3, 0), 70: ('n', 3, 0), 71: ('n', 4, 0),
    72: ('n', 4, 0), 73: ('n', 6, 0), 74: ('n', 10, 0), 75: ('n', 10, 0), 76: ('n', 10, 0), 77: ('n', 10, 0),
    78: ('n', 10, 0), 79: ('n', 10, 0), 80: ('n', 10, 0), 81: ('n', 10, 0), 82: ('n', 12, 0), 83: ('n', 12, 0),
    84: ('n', 12, 0), 85: ('n', 12, 0), 86: ('n', 16, 0), 87: ('n', 16, 0), 88: ('n', 16, 0), 89: ('n', 16, 0),
    90: ('n', 42, 0), 91: ('an', 1, 0), 92: ('an', 2, 0), 93: ('an', 5, 0), 94: ('an', 7, 0), 95: ('an', 42, 0),
    96: ('b', 8, 0), 97: ('x+n', 17, 0), 98: ('ans', 25, 0), 99: ('n', 11, 2), 100: ('n', 11, 2),
    101: ('ans', 17, 2), 102: ('ans', 28, 2), 103: ('ans', 28, 2), 104: ('ans', 100, 3),
}
for _n in range(105, 128):
    ELEMENTS[_n] = ('ans', 999, 3)
ELEMENTS[128] = ('b', 8, 0)

# Elements that carry card data: never shown in clear in anything pyterm reports.
PAN_ELEMENTS = {2, 34}
HIDDEN_ELEMENTS = {35, 36, 45, 52, 55, 96}


class FormatError(Exception):
    """A message that cannot be encoded or decoded; says which element and where."""


def _check(number, kind, value):
    if kind == 'n' and not value.isdigit():
        raise FormatError('DE%d: expected digits, got %d characters that are not all digits' % (number, len(value)))
    if kind == 'b' and any(c not in '0123456789ABCDEFabcdef' for c in value):
        raise FormatError('DE%d: expected hex text' % number)
    if kind == 'z' and any(c not in '0123456789=D' for c in value):
        raise FormatError('DE%d: expected track data (digits and a separator)' % number)


def pack(mti, elements):
    """MTI + bitmap(s) + elements, as bytes (without the length prefix)."""
    if len(mti) != 4 or not mti.isdigit():
        raise FormatError('MTI must be 4 digits')
    numbers = sorted(elements)
    for n in numbers:
        if n not in ELEMENTS or n == 1:
            raise FormatError('DE%d is not an element this codec sends' % n)
    secondary = any(n > 64 for n in numbers)
    bitmap = 0
    for n in numbers:
        bitmap |= 1 << (128 - n)
    if secondary:
        bitmap |= 1 << 127
        bitmap_text = '%032X' % bitmap
    else:
        bitmap_text = '%016X' % (bitmap >> 64)
    out = bytearray((mti + bitmap_text).encode('ascii'))
    for n in numbers:
        kind, length, prefix = ELEMENTS[n]
        value = elements[n]
        if kind == 'raw':
            data = bytes(value)
            if len(data) > length:
                raise FormatError('DE%d: %d bytes, at most %d' % (n, len(data), length))
            out += ('%0*d' % (prefix, len(data))).encode('ascii') + data
            continue
        text = str(value)
        _check(n, kind, text)
        wire_length = length * 2 if kind == 'b' else length
        if prefix == 0:
            if kind in ('n', 'x+n') and len(text) < wire_length:
                text = text.rjust(wire_length, '0') if kind == 'n' else text[0] + text[1:].rjust(wire_length - 1, '0')
            elif kind in ('a', 'an', 'ans') and len(text) < wire_length:
                text = text.ljust(wire_length)
            if len(text) != wire_length:
                raise FormatError('DE%d: %d characters, the element has %d' % (n, len(text), wire_length))
            out += text.encode('latin-1')
        else:
            if len(text) > wire_length:
                raise FormatError('DE%d: %d characters, at most %d' % (n, len(text), wire_length))
            out += ('%0*d' % (prefix, len(text))).encode('ascii') + text.encode('latin-1')
    return bytes(out)


def unpack(data):
    """(mti, {element: value}) from bytes without the length prefix; raises FormatError with the offset."""
    pos = 0

    def take(count, what):
        nonlocal pos
        if pos + count > len(data):
            raise FormatError('%s at byte %d: needs %d bytes, %d left' % (what, pos, count, len(data) - pos))
        chunk = data[pos:pos + count]
        pos += count
        return chunk

    mti = take(4, 'MTI').decode('latin-1')
    if not mti.isdigit():
        raise FormatError('MTI at byte 0: expected 4 digits, found %r' % mti)
    try:
        bitmap = int(take(16, 'bitmap').decode('ascii'), 16)
    except ValueError:
        raise FormatError('bitmap at byte 4: expected 16 hex characters')
    bits = 64
    if bitmap >> 63:
        try:
            bitmap = (bitmap << 64) | int(take(16, 'secondary bitmap').decode('ascii'), 16)
        except ValueError:
            raise FormatError('secondary bitmap at byte 20: expected 16 hex characters')
        bits = 128
    elements = {}
    for n in range(2, bits + 1):
        if not (bitmap >> (bits - n)) & 1:
            continue
        if n not in ELEMENTS:
            raise FormatError('DE%d at byte %d: not an element of ISO 8583:1987' % (n, pos))
        kind, length, prefix = ELEMENTS[n]
        where = 'DE%d' % n
        if prefix:
            count_text = take(prefix, where + ' length').decode('latin-1')
            if not count_text.isdigit():
                raise FormatError('%s length at byte %d: expected %d digits, found %r' % (where, pos - prefix, prefix, count_text))
            count = int(count_text)
            limit = length * 2 if kind == 'b' else length
            if count > limit:
                raise FormatError('%s at byte %d: length %d over the maximum %d' % (where, pos - prefix, count, limit))
        else:
            count = length * 2 if kind == 'b' else length
        raw = take(count, where)
        if kind == 'raw':
            elements[n] = bytes(raw)
            continue
        text = raw.decode('latin-1')
        try:
            _check(n, kind, text)
        except FormatError as err:
            raise FormatError('%s at byte %d' % (err, pos - count))
        elements[n] = text
    if pos != len(data):
        raise FormatError('%d bytes left after the last element' % (len(data) - pos))
    return mti, elements


def frame(body):
    """The 4-digit ASCII length prefix and the body."""
    if len(body) > 9999:
        raise FormatError('message of %d bytes does not fit a 4-digit length' % len(body))
    return ('%04d' % len(body)).encode('ascii') + body


def mask_pan(pan):
    if len(pan) <= 10:
        return '*' * max(0, len(pan) - 4) + pan[-4:]
    return pan[:6] + '*' * (len(pan) - 10) + pan[-4:]


def masked(elements):
    """The elements as pyterm reports them: PAN 6+4, track, PIN and ICC data hidden, keys by element number."""
    out = {}
    for n, value in sorted(elements.items()):
        if n in PAN_ELEMENTS:
            out[str(n)] = mask_pan(value)
        elif n in HIDDEN_ELEMENTS:
            size = len(value) if isinstance(value, (bytes, bytearray)) else len(value)
            out[str(n)] = '[hidden: %d %s]' % (size, 'bytes' if isinstance(value, (bytes, bytearray)) else 'chars')
        else:
            out[str(n)] = value if isinstance(value, str) else value.hex().upper()
    return out
