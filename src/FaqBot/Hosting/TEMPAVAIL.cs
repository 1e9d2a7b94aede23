using FaqBot.Handoff;
namespace FaqBot.Hosting;
internal sealed class AlwaysAvailable : IStaffAvailability { public StaffAvailability Check(DateTimeOffset now) => new(true, null); }
