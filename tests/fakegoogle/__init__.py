"""A local fake of Google Sheets API v4, the OAuth token endpoint and Drive
permissions, served over real HTTP on 127.0.0.1 for tests.

    with FakeGoogle() as fake:
        account = fake.add_service_account()
        spreadsheet_id = fake.create_spreadsheet("Đơn hàng", share_with=[account.email])
        account.write_key_file(path)  # token_uri points at fake.url + "/token"

Known limitations, each a simplification of what Google does:
- Input is parsed and numbers are formatted with en_US rules whatever the
  spreadsheet's locale; USER_ENTERED knows numbers, `1,234`, `12%`, ISO and
  M/D/YYYY dates, TRUE/FALSE, formulas and a leading `'`, not currencies or
  times. A cell formatted as TEXT keeps typed input as text, as in the UI.
- Formulas use a small evaluator (arithmetic, `&`, comparisons, references,
  SUM MIN MAX COUNT COUNTA AVERAGE ROUND ABS LEN UPPER LOWER TRIM CONCAT
  CONCATENATE IF HYPERLINK); any other function shows `#NAME?`.
- Number formats cover digit patterns with literal text, percentages and
  date/time patterns; other patterns render like the automatic format.
- values.append finds its table by a model of Google's rule (see append.py).
- Protected ranges are stored but not enforced; the request kinds in
  batch.ACCEPTED are accepted without effect.
- Quota windows open at an account's first read or write and last one
  "minute"; every counted request uses quota, whatever its answer.
- A read partly outside the grid is clipped; grid data carries no
  effectiveFormat; spreadsheets.get with `ranges` lists only those sheets.
- Drive serves file metadata, the spreadsheet list and permissions only:
  gspread's create, copy, export and del_spreadsheet are not supported.
"""

from tests.fakegoogle.auth import ServiceAccount
from tests.fakegoogle.fake import FakeGoogle

__all__ = ["FakeGoogle", "ServiceAccount"]
