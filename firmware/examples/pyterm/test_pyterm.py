"""pyterm's own checks, standard library only: python3 -m unittest discover -s firmware/examples/pyterm"""

import unittest

import des
import iso8583


class DesTest(unittest.TestCase):
    def test_fips_vector(self):
        # The worked example of DES used in every textbook (key 133457799BBCDFF1).
        out = des.des_encrypt(bytes.fromhex('0123456789ABCDEF'), bytes.fromhex('133457799BBCDFF1'))
        self.assertEqual(out.hex().upper(), '85E813540F0AB405')
        self.assertEqual(des.des_decrypt(out, bytes.fromhex('133457799BBCDFF1')).hex().upper(), '0123456789ABCDEF')

    def test_check_values_of_harbor_bank_test_keys(self):
        # KCVs as mocks/hosts/harbor-bank.yaml lists them.
        self.assertEqual(des.key_check_value(bytes.fromhex('0123456789ABCDEFFEDCBA9876543210')), '08D7B4')
        self.assertEqual(des.key_check_value(bytes.fromhex('5B6C7D8E9FA0B1C2D3E4F5061728394A')), '825A45')


class Iso8583Test(unittest.TestCase):
    def test_round_trip_with_secondary_bitmap(self):
        elements = {3: '920000', 7: '0314102030', 11: '000005', 41: 'PX700001', 42: 'PELICAN00000001',
                    74: '0000000000', 76: '0000000002', 86: '0000000000000000', 88: '0000000000003000'}
        body = iso8583.pack('0500', elements)
        self.assertEqual(body[:36], b'0500A220000000C000000050050000000000')
        self.assertEqual(iso8583.unpack(body), ('0500', elements))

    def test_variable_lengths_and_hex_binary(self):
        elements = {2: '4111111111111111', 35: '4111111111111111=30122010000', 52: '0123456789ABCDEF'}
        body = iso8583.pack('0200', elements)
        self.assertIn(b'164111111111111111', body)
        self.assertIn(b'284111111111111111=30122010000', body)
        self.assertEqual(iso8583.unpack(body)[1], elements)

    def test_errors_name_the_element_and_offset(self):
        with self.assertRaisesRegex(iso8583.FormatError, r'^DE11 at byte 20: needs 6 bytes, 2 left$'):
            iso8583.unpack(b'08000020000000000000' + b'12')
        with self.assertRaisesRegex(iso8583.FormatError, 'DE4: 13 characters, the element has 12'):
            iso8583.pack('0200', {4: '1234567890123'})

    def test_masked_view(self):
        shown = iso8583.masked({2: '4111111111111111', 35: '4111111111111111=3012', 52: '0123456789ABCDEF'})
        self.assertEqual(shown, {'2': '411111******1111', '35': '[hidden: 21 chars]', '52': '[hidden: 16 chars]'})


if __name__ == '__main__':
    unittest.main()
