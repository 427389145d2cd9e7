"""What the province office decides about what came in: accepting or returning a prefecture's submission, locking
and reopening a prefecture-month, withdrawing a mistaken upload (``approval``); the monthly review's judgement of
each target's chance of delivery (``judgement``); closing an ended plan once its evaluation has gone upward, and
reopening it (``closure``). The monthly cycle's other decisions (reminders, returned cells) belong here too."""
