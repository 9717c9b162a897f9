"""The payment application of the Pelican PX-7: transactions on an ISO 8583:1987 ASCII host link.

What it does, as a certified countertop terminal of its time:
- one outstanding request per terminal; a response whose MTI, STAN or terminal id does not match
  is discarded and the terminal keeps waiting;
- a reversible request (sale, refund, void, pre-auth) has its reversal stored BEFORE it is sent; an
  answer clears it, no answer (host timeout) leaves it queued, and a queued reversal is delivered
  before the next online transaction: 0400 first, 0401 (repeat) on every retry, same STAN;
- a batch of approved debits and credits, closed with a 0500 settlement; when the host answers 95
  (out of balance) every record is uploaded (0320) and the batch is closed with a 0500 "96";
- primary host, then the backup after N failed connects; all durations multiplied by the time scale.

Its known limits (they are what the matrix should show): no ICC data (DE55) or card sequence number
(DE23) on chip transactions, no MAC, no store-and-forward of advices.
"""

import select
import socket
import threading
import time
from datetime import datetime, timezone

import des
import iso8583

RESPONSE_TEXT = {
    '00': 'approved', '05': 'do not honour', '12': 'invalid transaction', '13': 'invalid amount',
    '14': 'invalid card number', '25': 'original not found', '30': 'format error', '41': 'lost card',
    '43': 'stolen card', '51': 'insufficient funds', '54': 'expired card', '55': 'incorrect PIN',
    '61': 'exceeds amount limit', '62': 'restricted card', '63': 'security violation',
    '75': 'PIN tries exceeded', '91': 'issuer unavailable', '94': 'duplicate transmission',
    '95': 'reconcile error', '96': 'system malfunction',
}
APPROVED = {'00', '08', '10', '11'}
ENTRY = {'manual': '01', 'magstripe': '02', 'chip': '05', 'contactless': '07'}
# type: (MTI, processing code, reversible, kind of batch record)
TRANSACTIONS = {
    'sale': ('0200', '000000', True, 'debit'),
    'refund': ('0200', '200000', True, 'credit'),
    'void': ('0200', '020000', True, None),
    'pre-auth': ('0100', '000000', True, None),
    'balance': ('0100', '310000', False, None),
    'completion': ('0220', '000000', False, 'debit'),
}
PIN_TYPES = {'sale', 'pre-auth', 'balance'}


class Cancelled(Exception):
    pass


def response_mti(mti):
    return mti[:2] + str(int(mti[2]) + 1) + str(int(mti[3]) & ~1)


class Transaction:
    """One run: its deadline, the clock, and the messages it caused (for the outcome)."""

    def __init__(self, terminal, params):
        self.t0 = time.monotonic()
        self.deadline = self.t0 + params['timeoutMs'] / 1000.0 * terminal.time_scale
        now = params.get('now')
        self.clock = datetime.strptime(now[:19], '%Y-%m-%dT%H:%M:%S').replace(tzinfo=timezone.utc) if now else None
        self.messages = []

    def now(self):
        return self.clock or datetime.now(timezone.utc)

    def record(self, direction, message):
        self.messages.append({'direction': direction, 'atMs': round((time.monotonic() - self.t0) * 1000, 1),
                              'message': message})


class Terminal:
    def __init__(self, emit, options):
        self.emit = emit
        self.options = options
        self.cancel_requested = threading.Event()
        self.config = None
        self.time_scale = 1.0
        self.power_on()

    # ---- state -------------------------------------------------------------------------------

    def power_on(self):
        self.stan = 0
        self.batch = []
        self.reversal = None
        self.conn = None

    def configure(self, params):
        self.config = params
        self.time_scale = float(params['timeScale'])
        self.terminal_id = (params.get('terminalId') or 'PX700001')[:8].ljust(8)
        self.merchant_id = (params.get('merchantId') or 'PELICAN00000001')[:15].ljust(15)
        self.currency = params.get('currency') or '840'
        self.keys = {k: bytes.fromhex(v) for k, v in (params.get('keys') or {}).items()}

    def next_stan(self):
        self.stan = self.stan % 999999 + 1
        return '%06d' % self.stan

    def scaled(self, seconds):
        return seconds * self.time_scale

    # ---- network -----------------------------------------------------------------------------

    def close_connection(self):
        if self.conn is not None:
            try:
                self.conn.close()
            except OSError:
                pass
            self.conn = None

    def connect(self, tx):
        if self.conn is not None:
            return True
        hosts = [('primary', self.config['primary'])]
        if self.config.get('backup'):
            hosts.append(('backup', self.config['backup']))
        for index, (label, endpoint) in enumerate(hosts):
            if 'host' not in endpoint:
                self.emit('log', '%s is a URL; this terminal speaks ISO 8583 over TCP only' % label)
                continue
            for attempt in range(1, self.options.connect_attempts + 1):
                self.check_cancel()
                timeout = max(0.01, min(self.scaled(self.options.connect_timeout_s), tx.deadline - time.monotonic()))
                try:
                    conn = socket.create_connection((endpoint['host'], endpoint['port']), timeout=timeout)
                    conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                    self.conn = conn
                    self.emit('connected', '%s %s:%d' % (label, endpoint['host'], endpoint['port']))
                    return True
                except OSError as err:
                    self.emit('connect-failed', '%s %s:%d attempt %d: %s' % (
                        label, endpoint['host'], endpoint['port'], attempt, err.strerror or err))
                if time.monotonic() >= tx.deadline:
                    return False
            if index + 1 < len(hosts):
                self.emit('failover', '%s unreachable after %d attempts: trying the %s host' % (
                    label, self.options.connect_attempts, hosts[index + 1][0]))
        return False

    def check_cancel(self):
        if self.cancel_requested.is_set():
            raise Cancelled()

    def record(self, tx, direction, mti, elements, size, kind=None):
        parts = [mti]
        if kind:
            parts.append(kind)
        if 4 in elements and elements[4].isdigit():
            parts.append('%.2f' % (int(elements[4]) / 100.0))
        if 11 in elements:
            parts.append('STAN ' + elements[11])
        if 39 in elements:
            parts.append('code ' + elements[39])
        message = {'summary': ' '.join(parts), 'size': size,
                   'iso': {'mti': mti, 'fields': iso8583.masked(elements)}}
        tx.record(direction, message)
        self.emit(direction, message['summary'], message)

    def exchange(self, tx, mti, elements, kind, cancellable=True):
        """Sends one request and waits for its answer. Returns (mti, elements) or (None, reason)."""
        if not self.connect(tx):
            return None, 'no connection to the host'
        body = iso8583.pack(mti, elements)
        data = iso8583.frame(body)
        try:
            self.conn.sendall(data)
        except OSError as err:
            self.close_connection()
            return None, 'send failed: %s' % (err.strerror or err)
        self.record(tx, 'sent', mti, elements, len(data), kind)
        wait = self.scaled(self.options.response_timeout_s)
        until = min(time.monotonic() + wait, tx.deadline)
        expected = response_mti(mti)
        buffer = b''
        while True:
            if cancellable:
                self.check_cancel()
            left = until - time.monotonic()
            if left <= 0:
                self.close_connection()  # a late answer on this connection would only confuse the next exchange
                self.emit('timed-out', 'no answer to %s STAN %s in %g s' % (mti, elements[11], self.options.response_timeout_s))
                return None, 'no answer in %g s' % self.options.response_timeout_s
            readable, _, _ = select.select([self.conn], [], [], min(left, 0.02))
            if not readable:
                continue
            try:
                chunk = self.conn.recv(65536)
            except OSError as err:
                chunk = b''
                self.emit('log', 'receive failed: %s' % (err.strerror or err))
            if not chunk:
                self.close_connection()
                return None, 'the host closed the connection'
            buffer += chunk
            while len(buffer) >= 4:
                if not buffer[:4].isdigit():
                    self.close_connection()
                    self.emit('discarded', 'the length prefix %r is not 4 digits: connection dropped' % buffer[:4])
                    return None, 'unreadable answer'
                size = int(buffer[:4])
                if len(buffer) < 4 + size:
                    break
                frame, buffer = buffer[4:4 + size], buffer[4 + size:]
                try:
                    rmti, reply = iso8583.unpack(frame)
                except iso8583.FormatError as err:
                    self.emit('discarded', 'undecodable answer (%d bytes): %s' % (size, err))
                    continue
                self.record(tx, 'received', rmti, reply, size + 4)
                if rmti != expected or reply.get(11) != elements[11] or reply.get(41, self.terminal_id) != self.terminal_id:
                    self.emit('discarded', '%s STAN %s does not answer %s STAN %s' % (rmti, reply.get(11), mti, elements[11]))
                    continue
                return rmti, reply

    # ---- messages ----------------------------------------------------------------------------

    def base(self, tx, processing_code=None, stan=None):
        now = tx.now()
        e = {7: now.strftime('%m%d%H%M%S'), 11: stan or self.next_stan()}
        if processing_code:
            e.update({3: processing_code, 12: now.strftime('%H%M%S'), 13: now.strftime('%m%d'),
                      41: self.terminal_id, 42: self.merchant_id})
        return e

    def card_elements(self, card, with_pin):
        mode = ENTRY.get(card['entryMode'], '01')
        e = {}
        pin_block = self.pin_block(card) if with_pin and mode != '01' else None
        if mode == '01':
            e[2] = card['pan']
            e[14] = card['expiry']
        else:
            e[35] = '%s=%s%s00000' % (card['pan'], card['expiry'], card.get('serviceCode', '000'))
        if pin_block:
            e[52] = pin_block
        e[22] = mode + ('1' if pin_block else '2')
        return e

    def pin_block(self, card):
        """ISO 9564 format 0: PIN field XOR PAN field, encrypted under the TPK."""
        pin, key = card.get('pin'), self.keys.get('tpk')
        if not pin or key is None:
            return None
        pin_field = bytes.fromhex(('0%X%s' % (len(pin), pin)).ljust(16, 'F'))
        pan_field = bytes.fromhex('0000' + card['pan'][-13:-1].rjust(12, '0'))
        clear = bytes(a ^ b for a, b in zip(pin_field, pan_field))
        return des.tdes_encrypt(clear, key).hex().upper()

    # ---- reversal ----------------------------------------------------------------------------

    def prepare_reversal(self, mti, elements, record):
        """Stored before the request goes out: if the answer never comes, this is what undoes it."""
        self.reversal = {
            'attempts': 0, 'record': record,
            'elements': {3: elements[3], 4: elements.get(4, '0'), 11: elements[11], 25: elements.get(25, '00'),
                         41: self.terminal_id, 42: self.merchant_id, 49: elements.get(49, self.currency),
                         90: mti + elements[11] + elements[7] + '0' * 22},
            'summary': '%s STAN %s' % (mti, elements[11]),
        }

    def deliver_reversal(self, tx):
        """Delivers the queued reversal (0400, then 0401 on every retry). True when the host has it."""
        attempts_now = 0
        while self.reversal is not None:
            if attempts_now >= self.options.reversal_attempts or time.monotonic() >= tx.deadline:
                return False
            rev = self.reversal
            mti = '0400' if rev['attempts'] == 0 else '0401'
            elements = dict(rev['elements'])
            elements[7] = tx.now().strftime('%m%d%H%M%S')
            self.emit('reversal-sent', '%s for %s, attempt %d' % (mti, rev['summary'], rev['attempts'] + 1))
            attempts_now += 1
            rev['attempts'] += 1
            rmti, reply = self.exchange(tx, mti, elements, 'reversal', cancellable=False)
            if rmti is None:
                continue
            # Any answer means the host has the reversal: the original no longer counts.
            if rev['record'] in self.batch:
                self.batch.remove(rev['record'])
            self.reversal = None
            return True
        return True

    # ---- transactions ------------------------------------------------------------------------

    def run(self, params):
        tx = Transaction(self, params)
        kind = params['type']
        try:
            if kind in ('sign-on', 'echo'):
                result = self.network_management(tx, kind)
            else:
                if self.reversal is not None and not self.deliver_reversal(tx):
                    return self.outcome(tx, 'timed-out', 'reversal of %s not acknowledged: %s not sent' % (
                        self.reversal['summary'], kind))
                if kind == 'settlement':
                    result = self.settlement(tx)
                else:
                    result = self.financial(tx, kind, params)
        except Cancelled:
            result = self.cancelled(tx)
        finally:
            self.close_connection()
        return result

    def outcome(self, tx, status, detail, code=None, reference=None, error=None):
        out = {'status': status, 'detail': detail, 'messages': tx.messages,
               'durationMs': round((time.monotonic() - tx.t0) * 1000, 1)}
        if code is not None:
            out['responseCode'] = code
        if reference:
            out['reference'] = reference
        if error:
            out['error'] = error
        return out

    def cancelled(self, tx):
        self.cancel_requested.clear()
        self.close_connection()
        if self.reversal is not None and self.reversal['attempts'] == 0 and self.reversal.get('pending'):
            self.reversal.pop('pending', None)
            self.emit('reversal-queued', 'cancelled while waiting: reversal of %s queued' % self.reversal['summary'])
            if self.deliver_reversal(tx):
                return self.outcome(tx, 'reversed', 'cancelled by the operator; reversal delivered')
            return self.outcome(tx, 'error', 'cancelled by the operator; reversal queued',
                                error={'code': 'cancelled', 'message': 'cancelled; reversal queued'})
        return self.outcome(tx, 'error', 'cancelled by the operator before anything was sent',
                            error={'code': 'cancelled', 'message': 'cancelled before sending'})

    def network_management(self, tx, kind):
        code = '001' if kind == 'sign-on' else '301'
        elements = self.base(tx)
        elements[70] = code
        rmti, reply = self.exchange(tx, '0800', elements, kind)
        if rmti is None:
            return self.outcome(tx, 'timed-out', reply)
        rc = reply.get(39, '')
        if rc in APPROVED:
            return self.outcome(tx, 'approved', '%s accepted' % kind, rc)
        return self.outcome(tx, 'declined', '%s refused %s %s' % (kind, rc, RESPONSE_TEXT.get(rc, '')), rc)

    def financial(self, tx, kind, params):
        mti, pc, reversible, batch_kind = TRANSACTIONS[kind]
        amount = params.get('amount')
        original = params.get('original') or {}
        card = params.get('card')
        if kind == 'void' and amount is None:
            amount = original.get('amount')
        if kind != 'balance' and (amount is None or amount <= 0):
            return self.outcome(tx, 'declined', 'refused by the terminal: the amount must be positive (nothing sent)')
        if card is None and kind == 'void':
            # A void without the card: the terminal takes PAN and expiry from its own batch.
            found = next((r for r in self.batch if r['rrn'] and r['rrn'] == original.get('rrn')), None)
            if found:
                card = {'pan': found['pan'], 'expiry': found['expiry'], 'entryMode': 'manual'}
        if card is None:
            return self.outcome(tx, 'declined', 'refused by the terminal: no card presented (nothing sent)')
        elements = self.base(tx, pc)
        if amount is not None:
            elements[4] = '%012d' % amount
        elements[25] = '06' if kind in ('pre-auth', 'completion') else '00'
        elements[49] = params.get('currency') or self.currency
        elements.update(self.card_elements(card, kind in PIN_TYPES))
        if kind == 'void' or (kind == 'refund' and original.get('rrn')):
            if not original.get('rrn'):
                return self.outcome(tx, 'declined', 'refused by the terminal: a void needs the original RRN')
            elements[37] = original['rrn']
        if kind == 'completion':
            if not (original.get('stan') and original.get('transmittedAt') and original.get('authCode')):
                return self.outcome(tx, 'declined', 'refused by the terminal: a completion needs the pre-auth (STAN, time, auth code)')
            elements[38] = original['authCode']
            elements[90] = (original.get('mti') or '0100') + original['stan'] + original['transmittedAt'] + '0' * 22
        record = {'kind': batch_kind, 'pc': pc, 'amount': amount or 0, 'pan': card['pan'], 'expiry': card['expiry'],
                  'stan': elements[11], 'date': elements[13], 'time': elements[12], 'rrn': None}
        if reversible:
            self.prepare_reversal(mti, elements, record)
            self.reversal['pending'] = True
        rmti, reply = self.exchange(tx, mti, elements, kind)
        if rmti is None:
            if reversible:
                self.reversal.pop('pending', None)
                self.emit('reversal-queued', 'reversal of %s queued: %s' % (self.reversal['summary'], reply))
                return self.outcome(tx, 'timed-out', '%s: reversal queued' % reply)
            return self.outcome(tx, 'timed-out', reply)
        if reversible:
            self.reversal = None
        rc = reply.get(39, '')
        reference = {'stan': elements[11], 'mti': mti, 'transmittedAt': elements[7]}
        if amount is not None:
            reference['amount'] = amount
        if reply.get(37):
            reference['rrn'] = reply[37]
            record['rrn'] = reply[37]
        if reply.get(38):
            reference['authCode'] = reply[38]
        if rc not in APPROVED:
            return self.outcome(tx, 'declined', 'declined %s %s' % (rc, RESPONSE_TEXT.get(rc, 'unknown code')), rc, reference)
        if batch_kind:
            self.batch.append(record)
        if kind == 'void':
            self.batch = [r for r in self.batch if r['rrn'] != original['rrn']]
        detail = 'approved %s' % rc
        if reply.get(38):
            detail += ', auth ' + reply[38]
        if kind == 'balance' and reply.get(54):
            detail += ', balance ' + reply[54]
        return self.outcome(tx, 'approved', detail, rc, reference)

    def totals(self):
        debits = [r['amount'] for r in self.batch if r['kind'] == 'debit']
        credits = [r['amount'] for r in self.batch if r['kind'] == 'credit']
        return {74: '%010d' % len(credits), 76: '%010d' % len(debits),
                86: '%016d' % sum(credits), 88: '%016d' % sum(debits)}, (len(debits), sum(debits), len(credits), sum(credits))

    def settlement(self, tx):
        totals, (dn, da, cn, ca) = self.totals()
        summary = '%d debits %.2f, %d credits %.2f' % (dn, da / 100.0, cn, ca / 100.0)
        elements = self.base(tx, '920000')
        del elements[12], elements[13]
        elements.update(totals)
        rmti, reply = self.exchange(tx, '0500', elements, 'settlement')
        if rmti is None:
            return self.outcome(tx, 'timed-out', reply)
        rc = reply.get(39, '')
        if rc in APPROVED:
            self.batch = []
            return self.outcome(tx, 'approved', 'batch closed in balance: ' + summary, rc)
        if rc != '95' or not self.options.batch_upload:
            return self.outcome(tx, 'declined', 'settlement refused %s %s' % (rc, RESPONSE_TEXT.get(rc, '')), rc)
        # Out of balance: upload every record of the batch, then close it with processing code 96.
        for record in self.batch:
            upload = self.base(tx, record['pc'])
            upload.update({2: record['pan'], 4: '%012d' % record['amount'], 12: record['time'], 13: record['date'],
                           37: record['rrn'] or '000000000000'})
            rmti, reply = self.exchange(tx, '0320', upload, 'batch-upload')
            if rmti is None:
                return self.outcome(tx, 'timed-out', 'batch upload: ' + reply)
            if reply.get(39) not in APPROVED:
                return self.outcome(tx, 'declined', 'batch upload refused %s' % reply.get(39), reply.get(39))
        close = self.base(tx, '960000')
        del close[12], close[13]
        close.update(totals)
        rmti, reply = self.exchange(tx, '0500', close, 'settlement')
        if rmti is None:
            return self.outcome(tx, 'timed-out', 'closing after batch upload: ' + reply)
        rc = reply.get(39, '')
        if rc not in APPROVED:
            return self.outcome(tx, 'declined', 'batch close refused %s %s' % (rc, RESPONSE_TEXT.get(rc, '')), rc)
        count = len(self.batch)
        self.batch = []
        return self.outcome(tx, 'approved', 'out of balance (95): %d records uploaded, batch closed: %s' % (count, summary), rc)
