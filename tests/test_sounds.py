from knowledge.core.sounds import heard, sound_alike


def test_words_typed_with_characters_of_the_same_sound_sound_alike():
    assert sound_alike("外观涉及", "外观设计")
    assert sound_alike("德过", "德国")  # tones aside


def test_other_words_do_not():
    assert not sound_alike("外观设计", "外观设计")  # the same word is no typo
    assert not sound_alike("专利", "商标")
    assert not sound_alike("专利权", "专利")  # another length
    assert not sound_alike("usa", "usa")


def test_a_form_heard_inside_a_message_gives_its_value_in_text_order():
    forms = [("警告函", "律师函"), ("著作权", "著作权"), ("俄罗斯", "俄罗斯"), ("商标", "标志")]
    assert heard(forms, "收到律师含了，类型是著做权") == ["警告函", "著作权"]
    assert heard(forms, "俄罗丝") == ["俄罗斯"]
    assert heard(forms, "收到律师函了") == []  # the form itself is no typo
    assert heard(forms, "标致") == []  # two characters are too few to guess from
