"""The template program type is safe against its inputs: any template and args give text or InvalidArguments."""

import unittest

from bridge_support import random_text, rng

from dspex import InvalidArguments
from dspex.templates import MAX_OUTPUT_CHARS, Template


class TemplateTests(unittest.TestCase):
    def test_plain_fields_with_bounded_specs_fill(self):
        self.assertEqual("Hi      bob 00042 '\\ud800'", Template("Hi {name:>8} {n:05d} {x!r}").fill({"name": "bob", "n": 42, "x": "\ud800"}))

    def test_what_reaches_beyond_the_data_is_refused_naming_the_field(self):
        for template, problem in [("{a.__class__}", "not a plain name"), ("{a[0]}", "not a plain name"), ("{}", "not a plain name"),
                                  ("{0}", "not a plain name"), ("{a:300000000}", "width of 300000000"), ("{a:.1001f}", "precision of 1001"),
                                  ("{a:{b}}", "nested field"), ("{a!x}", "unknown conversion"), ("{", "not valid"),
                                  ("{a.\ud800}", "not a plain name")]:
            with self.subTest(template=template):
                with self.assertRaises(InvalidArguments) as caught:
                    Template(template).fill({"a": 1.5, "b": 3})
                self.assertIn(problem, str(caught.exception))
                str(caught.exception).encode("utf-8")  # the message itself is always sendable

    def test_width_at_the_bound_fills(self):
        self.assertEqual(1000, len(Template("{a:1000}").fill({"a": "x"})))

    def test_output_is_bounded(self):
        with self.assertRaises(InvalidArguments):
            Template("{a:1000}" * (MAX_OUTPUT_CHARS // 1000 + 1)).fill({"a": "x"})

    def test_lone_surrogates_in_values_become_replacement_characters(self):
        self.assertEqual("a\ufffdb", Template("a{x}b").fill({"x": "\udc80"}))

    def test_any_template_gives_text_or_invalid_arguments(self):
        r = rng("templates")
        pieces = ["{", "}", "{a}", "{b:", ">", "10", ".", "d", "f", "!r", "!s", "[", "]", ".x", ":", "{a:{b}}", "%", ",", "z", "#", "0"]
        for _ in range(3000):
            template = "".join(r.choice(pieces) if r.random() < 0.8 else random_text(r, 3) for _ in range(r.randrange(8)))
            try:
                text = Template(template).fill({"a": r.choice([1, -2.5, "s", None, True, [1], {"k": 1}]), "b": 7})
            except InvalidArguments:
                continue
            text.encode("utf-8")


if __name__ == "__main__":
    unittest.main()
