"""The lessons' model answers, one file per lesson: ``rnnlab.exercises.solution("03")``
prints lesson 3's."""
