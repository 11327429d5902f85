"""Read RMI's minerals templates beside the CMRT: EMRT 1.x/2.x (cobalt, mica and, from 2.0,
copper, natural graphite, lithium, nickel) and CRT 2.x (cobalt).

`generator.supply.cmrt.read_workbook` finds the template's kind (`cmrt.kinds.detect`) and
hands an EMRT or CRT to `reader.read_minerals`, so one call reads any supplier answer. The
result is the CMRT reader's `Declaration` with `template` "EMRT"/"CRT", `minerals` (those in
scope), `questions` keyed by mineral, `smelters` whose `metal` is the mineral, and `mines`
(the EMRT 2.x Mine List); the per-mineral company question C is a question numbered 0.
An AMRT is named by the CMRT reader, not read. Layouts are data, in layouts.py. This
package imports nothing eagerly: the CMRT reader imports `layouts` from it.
"""
