// Python-style strftime for the chat-template global `strftime_now` (Llama 3.1+ templates print the date).
// Names are the C locale's, which is what transformers renders under vLLM's default environment.

const DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
const MONTHS = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];

/** Formats `date` in local time; supports %a %A %b %B %d %H %I %j %m %M %p %S %y %Y %%, others pass through. */
export function strftime(date: Date, format: string): string {
  return format.replace(/%./g, function formatDirective(directive) {
    return directiveValue(date, directive.charAt(1)) ?? directive;
  });
}

function directiveValue(date: Date, code: string): string | null {
  const hours = date.getHours();
  switch (code) {
    case "a":
      return (DAYS[date.getDay()] ?? "").slice(0, 3);
    case "A":
      return DAYS[date.getDay()] ?? "";
    case "b":
      return (MONTHS[date.getMonth()] ?? "").slice(0, 3);
    case "B":
      return MONTHS[date.getMonth()] ?? "";
    case "d":
      return pad(date.getDate(), 2);
    case "H":
      return pad(hours, 2);
    case "I":
      return pad(hours % 12 === 0 ? 12 : hours % 12, 2);
    case "j":
      return pad(dayOfYear(date), 3);
    case "m":
      return pad(date.getMonth() + 1, 2);
    case "M":
      return pad(date.getMinutes(), 2);
    case "p":
      return hours < 12 ? "AM" : "PM";
    case "S":
      return pad(date.getSeconds(), 2);
    case "y":
      return pad(date.getFullYear() % 100, 2);
    case "Y":
      return String(date.getFullYear());
    case "%":
      return "%";
    default:
      return null;
  }
}

function dayOfYear(date: Date): number {
  const start = new Date(date.getFullYear(), 0, 1);
  const startOfDay = new Date(date.getFullYear(), date.getMonth(), date.getDate());
  return Math.round((startOfDay.getTime() - start.getTime()) / 86_400_000) + 1;
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, "0");
}
