#!/usr/bin/env python3
"""pyterm: the Pelican Devices PX-7 countertop terminal as an external emulator for paymatrix.

It speaks paymatrix-control/1 (docs/control-protocol.md in paymatrix): JSON-RPC 2.0 objects, one per
line, requests on stdin, answers and events on stdout; stderr is free text for people. A transaction
runs in a worker thread so that `cancel` can arrive while it waits for the host. Python 3 standard
library only; the ISO 8583 codec (iso8583.py) and DES (des.py) are its own.

    python3 pyterm.py [--response-timeout-s 30] [--reversal-attempts 3] [--connect-attempts 2]
"""

import argparse
import json
import os
import sys
import threading
import traceback
from datetime import datetime, timezone

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from terminal import Terminal  # noqa: E402

PROTOCOL = 'paymatrix-control/1'
IDENTITY = {'vendor': 'Pelican Devices', 'model': 'PX-7', 'version': '3.2.0'}
IMPLEMENTATION = 'pyterm 1.0 (Python %d.%d)' % sys.version_info[:2]
CAPABILITIES = ['sign-on', 'echo', 'sale', 'refund', 'void', 'pre-auth', 'completion', 'balance', 'settlement',
                'reversal', 'failover', 'pin', 'magstripe', 'contactless', 'manual-entry', 'batch-upload']


class Control:
    """The stdio side: reads requests, writes answers and events, one whole line at a time."""

    def __init__(self, options):
        self.options = options
        self.out_lock = threading.Lock()
        self.terminal = Terminal(self.event, options)
        self.worker = None
        self.running = False  # cleared before the run's answer leaves: the next run may follow at once

    def write(self, obj):
        line = json.dumps(obj, separators=(',', ':'))
        with self.out_lock:
            sys.stdout.write(line + '\n')
            sys.stdout.flush()

    def answer(self, request_id, result):
        self.write({'jsonrpc': '2.0', 'id': request_id, 'result': result})

    def refuse(self, request_id, code, message):
        self.write({'jsonrpc': '2.0', 'id': request_id, 'error': {'code': code, 'message': message}})

    def event(self, kind, detail, message=None):
        params = {'kind': kind, 'at': datetime.now(timezone.utc).strftime('%Y-%m-%dT%H:%M:%S.%f')[:-3] + 'Z',
                  'detail': detail}
        if message is not None:
            params['message'] = message
        self.write({'jsonrpc': '2.0', 'method': 'event', 'params': params})

    def busy(self):
        return self.running

    def handle(self, request):
        rid, method, params = request.get('id'), request.get('method'), request.get('params') or {}
        if method == 'hello':
            if params.get('protocol') != PROTOCOL:
                return self.refuse(rid, 1, 'this emulator speaks %s only' % PROTOCOL)
            return self.answer(rid, {'protocol': PROTOCOL, 'identity': IDENTITY, 'capabilities': self.capabilities(),
                                     'implementation': IMPLEMENTATION})
        if method == 'configure':
            if self.busy():
                return self.refuse(rid, 1, 'a transaction is running')
            self.terminal.configure(params)
            return self.answer(rid, {})
        if method == 'run':
            if self.terminal.config is None:
                return self.refuse(rid, 1, 'not configured')
            if self.busy():
                return self.refuse(rid, 1, 'a transaction is already running')
            self.terminal.cancel_requested.clear()
            self.running = True
            self.worker = threading.Thread(target=self.run, args=(rid, params), daemon=True)
            self.worker.start()
            return None
        if method == 'cancel':
            if self.busy():
                self.terminal.cancel_requested.set()
            return self.answer(rid, {})
        if method == 'reset':
            if self.busy():
                return self.refuse(rid, 1, 'a transaction is running: cancel it first')
            self.terminal.power_on()
            return self.answer(rid, {})
        if method == 'shutdown':
            self.terminal.cancel_requested.set()
            if self.worker is not None:
                self.worker.join(2.0)
            self.answer(rid, {})
            return 'exit'
        return self.refuse(rid, -32601, 'unknown method %r' % method)

    def capabilities(self):
        return [c for c in CAPABILITIES if c != 'batch-upload' or self.options.batch_upload]

    def run(self, rid, params):
        try:
            result = self.terminal.run(params)
        except Exception as err:  # a bug here must still answer the run
            traceback.print_exc(file=sys.stderr)
            result = {'status': 'error', 'detail': 'emulator fault: %s' % type(err).__name__, 'messages': [],
                      'error': {'code': 'emulator-fault', 'message': str(err)}}
        self.running = False
        self.answer(rid, result)

    def loop(self):
        for line in sys.stdin:
            line = line.strip()
            if not line:
                continue
            try:
                request = json.loads(line)
            except ValueError:
                print('pyterm: ignoring a line that is not JSON', file=sys.stderr)
                continue
            if self.handle(request) == 'exit':
                break
        # stdin closed or shutdown: stop whatever runs and leave.
        self.terminal.cancel_requested.set()
        if self.worker is not None:
            self.worker.join(2.0)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--response-timeout-s', type=float, default=30.0, help='host response timeout, before scaling')
    parser.add_argument('--connect-timeout-s', type=float, default=10.0, help='TCP connect timeout, before scaling')
    parser.add_argument('--connect-attempts', type=int, default=2, help='connects to a host before the next one')
    parser.add_argument('--reversal-attempts', type=int, default=3, help='reversal sends per transaction')
    parser.add_argument('--no-batch-upload', dest='batch_upload', action='store_false',
                        help='defect: an out-of-balance settlement is not followed by a batch upload')
    options = parser.parse_args()
    print('pyterm: %s %s %s ready' % (IDENTITY['vendor'], IDENTITY['model'], IDENTITY['version']), file=sys.stderr)
    Control(options).loop()
    return 0


if __name__ == '__main__':
    sys.exit(main())
