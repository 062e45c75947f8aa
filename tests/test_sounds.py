from knowledge.core.sounds import sound_alike


def test_words_typed_with_characters_of_the_same_sound_sound_alike():
    assert sound_alike("外观涉及", "外观设计")
    assert sound_alike("德过", "德国")  # tones aside


def test_other_words_do_not():
    assert not sound_alike("外观设计", "外观设计")  # the same word is no typo
    assert not sound_alike("专利", "商标")
    assert not sound_alike("专利权", "专利")  # another length
    assert not sound_alike("usa", "usa")
