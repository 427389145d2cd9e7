"""What the province office decides about what came in: accepting or returning a prefecture's submission, locking
and reopening a prefecture-month (``approval``). The monthly cycle's other decisions (reminders, returned cells,
withdrawals, delivery judgements) belong here too."""
