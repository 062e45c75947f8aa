"""Contact details are configuration: read when present, absent otherwise, never invented."""

from knowledge.library.contacts import Contact, load_contacts


def test_contacts_are_read_by_institution_id(tmp_path):
    path = tmp_path / "contacts.yml"
    path.write_text("aid-center-tongchuan:\n  phone: '0919-0000000'\n  address: 某路1号\nbroken: 7\n", encoding="utf-8")
    assert load_contacts(path) == {"aid-center-tongchuan": Contact(phone="0919-0000000", address="某路1号")}


def test_a_missing_or_broken_file_gives_no_contacts(tmp_path):
    assert load_contacts(tmp_path / "none.yml") == {}
    broken = tmp_path / "broken.yml"
    broken.write_text("a: [unclosed\n", encoding="utf-8")
    assert load_contacts(broken) == {}
