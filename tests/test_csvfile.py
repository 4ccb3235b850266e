import pytest

from vipctl.ingest import csvfile


@pytest.mark.parametrize(
    ("text", "starts"),
    [
        ("a,b\r\n1,2\r\n3,4\r\n", [2, 3]),
        ("a,b\n1,2\n\n3,4\n,\n5,6\n", [2, 4, 6]),  # blank lines and empty rows skipped
        ("a,b\r1,2\r3,4\r", [2, 3]),  # old Mac line ends
        ('a,b\r\n1,"x\r\ny"\r\n2,"p\nq\nr"\r\n3,"s\rt"\r\n4,z\r\n', [2, 4, 7, 9]),
    ],
)
def test_record_lines_are_editor_lines(tmp_path, text, starts):
    path = tmp_path / "f.csv"
    path.write_bytes(text.encode())
    batches = csvfile.read(path).batches(2)
    assert [line for batch in batches for line, _ in batch] == starts
